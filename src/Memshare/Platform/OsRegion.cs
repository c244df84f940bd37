namespace Memshare.Platform;

/// <summary>What a caller wants from the OS: a new region, an existing one, or either.</summary>
internal enum RegionMode
{
    CreateNew,
    OpenExisting,
    CreateOrOpen,
}

/// <summary>A validated request handed to the OS layer. <see cref="Size"/> is the size to create, or the least size to accept.</summary>
internal readonly record struct RegionRequest(string Name, RegionMode Mode, long Size, SharedMemoryOptions Options)
{
    /// <summary>
    /// The least size an existing region must have: <see cref="Size"/>, unless the caller checks the size
    /// itself from the region's header (typed regions), in which case a mismatch is reported by the header check.
    /// </summary>
    public long MinExistingSize { get; init; } = Size;

    /// <summary>Fills a region this request creates, before any other process can see it.</summary>
    public RegionInitializer? Initializer { get; init; }

    public bool ReadOnly => Options.Access == SharedMemoryAccess.Read;

    public bool Persistent => Options.Lifetime == SharedMemoryLifetime.Persistent;
}

/// <summary>
/// The one seam between the portable <see cref="SharedMemory"/> and an OS: a whole region mapped into this
/// process, plus whatever keeps it alive (a locked descriptor, a mapping handle). Validation happens before
/// this layer; implementations do only the OS work.
/// </summary>
internal abstract unsafe class OsRegion : IDisposable
{
    /// <summary>Start of the mapping of the whole region.</summary>
    public byte* Base { get; protected init; }

    /// <summary>Bytes in the whole region.</summary>
    public long Length { get; protected init; }

    /// <summary>Whether this process created the region (the seed's <c>!alreadyExisted</c>).</summary>
    public bool Created { get; protected init; }

    /// <summary>Whether the region outlives its holders.</summary>
    public bool Persistent { get; protected init; }

    /// <summary>Unmaps, then lets the region go (removing it if this was its last holder). Idempotent.</summary>
    public abstract void Dispose();

    /// <summary>Opens or creates the region; returns null when <see cref="RegionMode.OpenExisting"/> finds nothing.</summary>
    public static OsRegion? OpenRegion(in RegionRequest request)
    {
        if (OperatingSystem.IsLinux())
        {
            return LinuxRegion.Open(request);
        }

        if (OperatingSystem.IsMacOS())
        {
            return MacRegion.Open(request);
        }

        if (OperatingSystem.IsWindows())
        {
            return WindowsRegion.Open(request);
        }

        throw new PlatformNotSupportedException(SR.OsUnsupported);
    }

    /// <summary>Removes a named region; false if there was none.</summary>
    public static bool RemoveRegion(string name)
    {
        if (OperatingSystem.IsLinux())
        {
            return LinuxRegion.Remove(name);
        }

        if (OperatingSystem.IsMacOS())
        {
            return MacRegion.Remove(name);
        }

        if (OperatingSystem.IsWindows())
        {
            return WindowsRegion.Remove(name);
        }

        throw new PlatformNotSupportedException(SR.OsUnsupported);
    }
}
