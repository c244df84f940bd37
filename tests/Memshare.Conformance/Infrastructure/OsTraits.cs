namespace Memshare.Conformance.Infrastructure;

/// <summary>What differs by OS, stated once, so that each test states the contract on every OS.</summary>
internal static class OsTraits
{
    /// <summary>Regions that outlive their holders: POSIX only. A Windows mapping lives exactly as long as its handles.</summary>
    public static bool PersistentRegions => !OperatingSystem.IsWindows();

    /// <summary>Whether a name can be removed while processes hold it (POSIX unlink); Windows has no such call.</summary>
    public static bool RemoveByName => !OperatingSystem.IsWindows();

    /// <summary>Where persistent regions are unsupported, asking for one is a PlatformNotSupportedException naming the region.</summary>
    public static void AssertPersistentRefused(string name)
    {
        var persistent = new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent };
        var e = Assert.Throws<PlatformNotSupportedException>(() => SharedMemory.CreateNew(name, 64, options: persistent));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.False(SharedMemory.TryOpenExisting(name, out _));
    }
}
