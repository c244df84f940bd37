using System.Globalization;
using System.Runtime.Versioning;
using Memshare.Platform;
using Memshare.TestChild.LockFileProtocol;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Mac;

/// <summary>
/// A private world for the macOS lock-file protocol run on Linux: its own lock directory under a fresh temp
/// directory, and its own shm name prefix, so nothing collides with real regions or other tests. Disposing it
/// kills tracked children, then removes and reports anything left in the lock directory or in /dev/shm.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class LockFileSandbox : IDisposable
{
    public const string Nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups";

    private readonly List<Child> _children = [];

    public LockFileSandbox()
    {
        string id = Guid.NewGuid().ToString("N")[..10];
        Root = Path.Combine(Path.GetTempPath(), "mst-lockfile-" + id);
        Directory.CreateDirectory(Root);
        File.SetUnixFileMode(Root, (UnixFileMode)Convert.ToInt32("755", 8));
        LockDirectory = Path.Combine(Root, "locks");
        Prefix = "mst" + id + ".";
    }

    /// <summary>A temp directory (0755, root's) that holds the lock directory.</summary>
    public string Root { get; }

    /// <summary>The lock directory the protocol uses (created by the protocol itself).</summary>
    public string LockDirectory { get; }

    /// <summary>Put before every region name in /dev/shm.</summary>
    public string Prefix { get; }

    internal LockFileSettings Settings(TimeSpan? initDeadline = null) =>
        new(LockDirectory, Prefix, initDeadline ?? TimeSpan.FromSeconds(30));

    internal static ShmApi Api => LinuxShmApi.Instance;

    internal LockFileRegion? Open(string name, RegionMode mode, long size, SharedMemoryOptions? options = null, TimeSpan? initDeadline = null,
        RegionInitializer? initializer = null) =>
        LockFileRegion.Open(new RegionRequest(name, mode, size, options ?? SharedMemoryOptions.Default) { Initializer = initializer }, Api, Settings(initDeadline));

    internal LockFileRegion Create(string name, long size = 4096, SharedMemoryOptions? options = null, RegionInitializer? initializer = null) =>
        Open(name, RegionMode.CreateNew, size, options, initializer: initializer)!;

    internal bool Remove(string name) => LockFileRegion.Remove(name, Api, Settings());

    /// <summary>/dev/shm path of a region's shm object.</summary>
    public string ShmPath(string name) => "/dev/shm/" + Prefix + name;

    public string LockPath(string name) => LockDirectory + "/" + LockFileName.For(name);

    /// <summary>Arguments for the child's <c>lockfile</c> scenario.</summary>
    public string[] ChildArgs(string op, string name, long size, int initDeadlineMs, params string[] options) =>
        ["lockfile", LockDirectory, Prefix, initDeadlineMs.ToString(CultureInfo.InvariantCulture), op, name,
            size.ToString(CultureInfo.InvariantCulture), .. options];

    public Child Helper(string op, string name, long size = 4096, params string[] options) =>
        Track(Child.Helper(ChildArgs(op, name, size, 30_000, options)));

    public Child HelperAsNobody(string op, string name, long size = 4096, params string[] options) =>
        Track(Child.HelperAs(Nobody, ChildArgs(op, name, size, 30_000, options)));

    public Child Track(Child child)
    {
        _children.Add(child);
        return child;
    }

    /// <summary>Lock files and temporary files in the lock directory.</summary>
    public string[] LockFiles() =>
        Directory.Exists(LockDirectory) ? [.. Directory.GetFileSystemEntries(LockDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];

    public string[] ShmObjects() => Directory.GetFileSystemEntries("/dev/shm", Prefix + "*");

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds.</summary>
    public static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting until " + what);
            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        foreach (Child c in _children)
        {
            c.Dispose();
        }

        string[] locks = LockFiles();
        string[] shm = ShmObjects();
        foreach (string path in shm)
        {
            File.Delete(path);
        }

        if (Directory.Exists(Root))
        {
            // A test may have made the directory a symlink or given it away; remove it without following links.
            foreach (string entry in Directory.GetFileSystemEntries(Root))
            {
                if (new FileInfo(entry).LinkTarget is not null || File.Exists(entry))
                {
                    File.Delete(entry);
                }
                else
                {
                    Directory.Delete(entry, recursive: true);
                }
            }

            Directory.Delete(Root);
        }

        Assert.True(locks.Length == 0 && shm.Length == 0,
            $"Test left lock files [{string.Join(", ", locks)}] and shm objects [{string.Join(", ", shm)}] behind.");
    }
}
