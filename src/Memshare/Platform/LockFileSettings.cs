namespace Memshare.Platform;

/// <summary>Where the lock-file protocol keeps its files, and how long an opener waits for a creator.</summary>
/// <param name="Directory">The lock directory: shared by every user, so sticky and world-writable (1777).</param>
/// <param name="ShmPrefix">Put before every region name in the shm namespace; empty on macOS, unique in tests.</param>
/// <param name="InitDeadline">How long an opener waits for a live creator to finish its initializer.</param>
internal sealed record LockFileSettings(string Directory, string ShmPrefix, TimeSpan InitDeadline)
{
    /// <summary>macOS: the region NAME is <c>shm_open("/NAME")</c>, its lock file <c>/tmp/.memshare/ENCODED.lock</c>.</summary>
    internal static readonly LockFileSettings MacOS = new("/tmp/.memshare", "", TimeSpan.FromSeconds(30));

    internal string ShmName(string regionName) => "/" + ShmPrefix + regionName;

    internal string LockPath(string regionName) => Directory + "/" + LockFileName.For(regionName);
}
