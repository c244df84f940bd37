namespace Memshare.Inspection;

/// <summary>
/// Finds the named regions on this machine and describes them from outside: size, kind, owner, permissions,
/// lifetime, live holders and the decoded header. The basis of <c>memshare ls</c>, <c>info</c>, <c>watch</c>, <c>dump</c> and <c>gc</c>.
/// </summary>
/// <remarks>
/// <para>Inspection never becomes a holder: it takes no lock, maps nothing, and only reads the first bytes of
/// each region with ordinary file reads, so it cannot keep a scoped region alive, remove a stale one, or fault
/// on a truncated one. Symbolic links, directories, FIFOs and other non-regular files are never opened.</para>
/// <para>Linux only, where regions are files in <c>/dev/shm</c>. macOS and Windows offer no way to enumerate
/// named shared memory; there every member throws <see cref="PlatformNotSupportedException"/>.</para>
/// </remarks>
public static partial class SharedMemoryCatalog
{
    /// <summary>
    /// Every region in <c>/dev/shm</c>, sorted by name. Hidden files (names starting with '.'), names that
    /// are not valid region names, and entries that are not regular files are left out.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public static IReadOnlyList<SharedMemoryInfo> List()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw NotSupported();
        }

        return ListLinux();
    }

    /// <summary>Describes one region, or returns null if there is none of that name.</summary>
    /// <param name="name">The region's name; see <see cref="RegionName"/> for the rule.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> breaks the naming rule.</exception>
    /// <exception cref="IOException">The name exists but is not a regular file (a directory, FIFO, socket or device).</exception>
    /// <exception cref="UnauthorizedAccessException">The name is a symbolic link.</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public static SharedMemoryInfo? GetInfo(string name)
    {
        RegionName.Validate(name);
        if (!OperatingSystem.IsLinux())
        {
            throw NotSupported();
        }

        return GetLinux(name);
    }

    private static PlatformNotSupportedException NotSupported() =>
        new(SR.Format(SR.CatalogLinuxOnly, OperatingSystem.IsWindows() ? "Windows" : OperatingSystem.IsMacOS() ? "macOS" : "this OS"));
}
