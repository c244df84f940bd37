namespace Memshare.Conformance.Infrastructure;

/// <summary>What differs by OS, stated once, so that each test states the contract on every OS.</summary>
internal static class OsTraits
{
    /// <summary>Regions that outlive their holders: POSIX only. A Windows mapping lives exactly as long as its handles.</summary>
    public static bool PersistentRegions => !OperatingSystem.IsWindows();

    /// <summary>Whether a name can be removed while processes hold it (POSIX unlink); Windows has no such call.</summary>
    public static bool RemoveByName => !OperatingSystem.IsWindows();

    /// <summary>
    /// Whether opening a raw region reports the size its creator asked for. Windows keeps no such size: a view of a
    /// section spans whole pages, so an opener sees the size rounded up to 4096 bytes (typed regions carry their size
    /// in their header and are exact everywhere).
    /// </summary>
    public static bool ExactRawSizeOnOpen => !OperatingSystem.IsWindows();

    /// <summary>The size an opener of a raw region of <paramref name="created"/> bytes sees.</summary>
    public static long OpenedRawSize(long created) => ExactRawSizeOnOpen ? created : (created + 4095) / 4096 * 4096;

    /// <summary>Where persistent regions are unsupported, asking for one is a PlatformNotSupportedException naming the region.</summary>
    public static void AssertPersistentRefused(string name)
    {
        var persistent = new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent };
        var e = Assert.Throws<PlatformNotSupportedException>(() => SharedMemory.CreateNew(name, 64, persistent));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.False(SharedMemory.TryOpenExisting(name, out _));
    }
}
