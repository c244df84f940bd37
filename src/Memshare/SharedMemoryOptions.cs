namespace Memshare;

/// <summary>Fills a region before any other process can see it.</summary>
/// <param name="memory">The whole new region; it reads as zeros on entry.</param>
public delegate void RegionInitializer(Span<byte> memory);

/// <summary>Optional settings for creating or opening a <see cref="SharedMemory"/> region.</summary>
public sealed record SharedMemoryOptions
{
    /// <summary>The settings used when none are given.</summary>
    public static SharedMemoryOptions Default { get; } = new();

    /// <summary>Read-write (the default) or read-only mapping. Creating a region requires read-write.</summary>
    public SharedMemoryAccess Access { get; init; } = SharedMemoryAccess.ReadWrite;

    /// <summary>What a new region's lifetime is. Ignored when opening: the creator chose.</summary>
    public SharedMemoryLifetime Lifetime { get; init; } = SharedMemoryLifetime.Scoped;

    /// <summary>
    /// Who may open a new region. The default is owner read/write (0600) whatever the umask. Only the read and
    /// write bits are allowed. On Windows, any group or other bit grants access to Everyone; otherwise only
    /// the current user has access.
    /// </summary>
    public UnixFileMode Permissions { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Open a region that another user owns. Off by default, so a name squatted by another user is refused.</summary>
    public bool AllowOtherOwner { get; init; }

    /// <summary>Windows only: use the <c>Global\</c> namespace (visible across sessions) instead of <c>Local\</c>.</summary>
    public bool WindowsGlobalNamespace { get; init; }

    /// <summary>Start of the view window within the region, in bytes (like <c>OpenMapping</c>'s offset). Default 0.</summary>
    public long ViewOffset { get; init; }

    /// <summary>Length of the view window in bytes; <c>null</c> (the default) maps to the end of the region.</summary>
    public long? ViewLength { get; init; }

    /// <summary>Runs once, in the creating process, before the name becomes visible to any other process.</summary>
    public RegionInitializer? Initializer { get; init; }
}
