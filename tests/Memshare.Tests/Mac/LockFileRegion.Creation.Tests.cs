using System.Diagnostics;
using System.Runtime.Versioning;
using Memshare.Platform;
using Memshare.TestChild;
using Memshare.TestChild.LockFileProtocol;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Mac;

/// <summary>
/// Creation in the macOS lock-file protocol, run on Linux between real processes: no opener maps a region
/// before its initializer has finished, openers wait (bounded) for a slow creator, a failed or killed creator
/// leaves nothing usable behind, and racing processes agree on one region.
/// </summary>
[SupportedOSPlatform("linux")]
[Collection("Spinning")]
public sealed unsafe class LockFileRegionCreationTests : IDisposable
{
    private readonly LockFileSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void OpenExisting_BehindSlowInitializer_WaitsAndSeesTheWholeRegion()
    {
        var creator = _box.Helper("create-new", "r", 1 << 20, "init-ms=1500", "hold");
        LockFileSandbox.WaitUntil(() => File.Exists(_box.LockPath("r")), "the creator published its lock file");

        var clock = Stopwatch.StartNew();
        using LockFileRegion region = _box.Open("r", RegionMode.OpenExisting, 0)!;
        Assert.False(region.Created);
        Assert.Equal(1 << 20, region.Length);
        Assert.Equal(-1, Patterns.FindMismatch(new ReadOnlySpan<byte>(region.Base, 1 << 20), LockFileScenarios.PatternSeed));
        Assert.Equal("created 1048576 ok", creator.ReadLine());
        Assert.True(clock.Elapsed > TimeSpan.FromMilliseconds(200), $"opened after {clock.ElapsedMilliseconds} ms, before the initializer could have finished");
        Assert.Equal("holding", creator.ReadLine());
        creator.CloseInput();
        Assert.Equal(0, creator.WaitForExit());
    }

    [Fact]
    public void OpenExisting_BehindHungInitializer_FailsAfterTheDeadlineNamingTheCreator()
    {
        var creator = _box.Helper("create-new", "r", 4096, "init-ms=60000", "hold");
        LockFileSandbox.WaitUntil(() => File.Exists(_box.LockPath("r")), "the creator published its lock file");

        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<IOException>(() => _box.Open("r", RegionMode.OpenExisting, 0, initDeadline: TimeSpan.FromSeconds(1)));
        Assert.Contains($"Region 'r' is still being initialised by process {creator.Pid} after 1 s", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(15));

        creator.Kill(); // a creator killed during its initializer: the next open finds it stale and clears it
        Assert.Null(_box.Open("r", RegionMode.OpenExisting, 0));
    }

    [Fact]
    public void CreateNew_CreatorKilledDuringInitializer_NextCreatorSucceeds()
    {
        var creator = _box.Helper("create-new", "r", 4096, "init-ms=60000");
        LockFileSandbox.WaitUntil(() => File.Exists(_box.ShmPath("r")), "the creator created its shm object");
        creator.Kill();

        using LockFileRegion region = _box.Create("r", 4096, initializer: m => m.Fill(9));
        Assert.True(region.Created);
        Assert.Equal(9, region.Base[4095]);
    }

    [Fact]
    public void CreateNew_InitializerThrows_RegionAbsentAtOnceAndNameReusable()
    {
        Assert.Throws<InvalidOperationException>(() => _box.Create("r", 4096, initializer: _ => throw new InvalidOperationException("boom")));
        Assert.False(File.Exists(_box.ShmPath("r")), "the failed creator left its shm object");

        Assert.Null(_box.Open("r", RegionMode.OpenExisting, 0));
        using LockFileRegion region = _box.Create("r", 4096);
        Assert.True(region.Created);
    }

    [Fact]
    public void CreateOrOpen_OtherProcessesRacing_OneRegionAtATimeAndNeverHalfBuilt()
    {
        // A persistent witness region outside the protocol counts holders per region id (see lockfile-race).
        string witness = _box.Prefix + "witness";
        using SharedMemory w = SharedMemory.CreateNew(witness, 64, options: new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent });
        try
        {
            const int Workers = 4;
            const int Rounds = 2000;
            var children = Enumerable.Range(0, Workers)
                .Select(_ => _box.Track(Child.Helper("lockfile-race", _box.LockDirectory, _box.Prefix, "r", Rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), witness, Workers.ToString(System.Globalization.CultureInfo.InvariantCulture))))
                .ToList();
            int created = 0;
            var output = new List<string>();
            foreach (Child c in children)
            {
                string line = c.ReadLine(TimeSpan.FromSeconds(120));
                Assert.Matches("^race created=[0-9]+ opened=[0-9]+ bad=0 split=0$", line);
                output.Add(line);
                created += int.Parse(line.Split(' ')[1]["created=".Length..], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(0, c.WaitForExit());
            }

            // Scoped regions come and go as the last holder closes, so many are created, but never two at once.
            Assert.InRange(created, 1, Workers * Rounds);
            Assert.True(created < Workers * Rounds, "no worker ever opened another's region: the race never overlapped; " + string.Join("; ", output));
            Assert.Equal(0L, w.AsRef<long>(0) >>> 48);
        }
        finally
        {
            SharedMemory.Remove(witness);
        }
    }
}
