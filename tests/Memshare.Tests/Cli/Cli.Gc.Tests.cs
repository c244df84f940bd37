using System.Text.Json;
using Memshare.Inspection;
using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>
/// `memshare gc`: removes only stale regions (scoped, ours, no holder), with real holder processes. gc is global,
/// so these run alone, and every assertion looks only at this test's own names.
/// </summary>
[Collection("Spinning")]
public sealed class CliGcTests : IDisposable
{
    private const string Nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups";

    private readonly ShmScope _scope = new();

    [Fact]
    public void Gc_KeepsARegionWhileHeld_AndRemovesItOnceItsHolderIsKilled()
    {
        string name = _scope.Name("held");
        Child hold = _scope.Track(Child.Cli("hold", name, "--size", "4096"));
        Assert.Equal($"holding {name} (4096 bytes, created)", hold.ReadLine());

        CliResult first = CliRun.Run("gc").AssertExit(0);
        Assert.DoesNotContain(first.Stdout, line => line.Contains(name, StringComparison.Ordinal));
        Assert.True(Shm.Exists(name), "gc removed a region a live process holds");

        hold.Kill(); // SIGKILL: the region is left behind with no holder
        Assert.True(Shm.Exists(name));

        CliResult second = CliRun.Run("gc").AssertExit(0);
        Assert.Contains($"removed {name} (raw, 4096 bytes)", second.Stdout);
        Assert.StartsWith("Removed ", second.Stdout[^1], StringComparison.Ordinal);
        Assert.False(Shm.Exists(name), "gc named the region but left it");
    }

    [Fact]
    public void Gc_DryRun_ListsTheStaleRegionButRemovesNothing()
    {
        string name = _scope.Name("dry");
        try
        {
            MakeStale(name, "64");

            CliResult dry = CliRun.Run("gc", "--dry-run").AssertExit(0);
            Assert.Contains($"stale {name} (raw, 64 bytes)", dry.Stdout);
            Assert.Contains("removed nothing (dry run)", dry.Stdout[^1], StringComparison.Ordinal);
            Assert.True(Shm.Exists(name), "a dry run removed a region");

            JsonElement json = CliRun.Run("gc", "--dry-run", "--json").AssertExit(0).Json();
            Assert.True(json.GetProperty("dryRun").GetBoolean());
            Assert.Contains(name, Names(json, "stale"));
            Assert.DoesNotContain(name, Names(json, "removed"));
            Assert.True(Shm.Exists(name));
        }
        finally
        {
            Shm.Delete(name);
        }
    }

    [Fact]
    public void Gc_Json_IsParseable_ListsRemovedWithKindAndSize_AndKeptWithReasons()
    {
        string stale = _scope.Name("stale");
        string channel = _scope.Name("chan");
        string live = _scope.Name("live");
        string persistent = _scope.Name("persist");
        string foreign = _scope.Name("foreign");
        try
        {
            MakeStale(stale, "8192");
            using (var c = SharedChannel.CreateOrOpen(channel, new SharedChannelOptions { Capacity = 4096 }))
            {
                // A channel made stale by hand: its one holder (this process) "dies" by leaving the file behind.
                File.Copy(Shm.PathOf(channel), Shm.PathOf(channel) + ".copy");
            }

            File.Move(Shm.PathOf(channel) + ".copy", Shm.PathOf(channel));
            MakeScoped(channel); // the sticky bit: scoped
            using SharedMemory held = SharedMemory.CreateNew(live, 128);
            CliRun.Run("create", persistent, "--size", "256").AssertExit(0); // persistent, no holders
            File.WriteAllBytes(Shm.PathOf(foreign), new byte[100]); // another program's file: no sticky bit

            JsonElement json = CliRun.Run("gc", "--json").AssertExit(0).Json();

            Assert.False(json.GetProperty("dryRun").GetBoolean());
            JsonElement removed = Find(json, "removed", stale);
            Assert.Equal("raw", removed.GetProperty("kind").GetString());
            Assert.Equal(8192, removed.GetProperty("size").GetInt64());
            Assert.Equal(0, removed.GetProperty("holders").GetInt32());
            JsonElement removedChannel = Find(json, "removed", channel);
            Assert.Equal("channel", removedChannel.GetProperty("kind").GetString());
            Assert.Equal(4096 + 4096, removedChannel.GetProperty("size").GetInt64()); // a page of control block, then the ring
            Assert.Equal("live", Find(json, "kept", live).GetProperty("reason").GetString());
            Assert.Equal("persistent", Find(json, "kept", persistent).GetProperty("reason").GetString());
            Assert.Equal("persistent", Find(json, "kept", foreign).GetProperty("reason").GetString());

            Assert.False(Shm.Exists(stale));
            Assert.False(Shm.Exists(channel));
            Assert.True(Shm.Exists(live));
            Assert.True(Shm.Exists(persistent));
            Assert.Equal(new byte[100], File.ReadAllBytes(Shm.PathOf(foreign)));
        }
        finally
        {
            CliRun.Remove(persistent);
            Shm.Delete(foreign);
            Shm.Delete(stale);
            Shm.Delete(channel);
        }
    }

    [Fact]
    public void Gc_AsRoot_SkipsAStaleRegionOfAnotherUser()
    {
        string name = _scope.Name("nobody");
        try
        {
            Child hold = _scope.Track(Child.CliAs(Nobody, "hold", name, "--size", "64"));
            Assert.Equal($"holding {name} (64 bytes, created)", hold.ReadLine());
            hold.Kill();
            Assert.Equal(65534, Shm.Owner(name));

            CliResult text = CliRun.Run("gc").AssertExit(0);
            Assert.Contains(text.Stdout, line => line.StartsWith($"kept {name} (raw, 64 bytes): owned by ", StringComparison.Ordinal)
                && line.Contains("uid 65534", StringComparison.Ordinal));
            JsonElement json = CliRun.Run("gc", "--json").AssertExit(0).Json();
            Assert.Equal("other-owner", Find(json, "kept", name).GetProperty("reason").GetString());
            Assert.True(Shm.Exists(name), "root's gc removed another user's region");

            // Its owner's gc does remove it.
            CliResult own = CliRun.RunAs(Nobody, "gc").AssertExit(0);
            Assert.Contains($"removed {name} (raw, 64 bytes)", own.Stdout);
            Assert.False(Shm.Exists(name));
        }
        finally
        {
            Shm.Delete(name);
        }
    }

    /// <summary>
    /// A peer process creates, checks and closes a region over and over while this process collects stale regions
    /// in a loop: the peer must never lose a region it holds. Each round starts from a stale file at the name; in
    /// even rounds the collector removes it first, in odd ones the peer races it (the peer may find the file
    /// while the collector holds its lock, and must then wait and create a new region).
    /// </summary>
    [Fact]
    public async Task RemoveStale_RacingAnOpener_NeverRemovesARegionThatIsHeld()
    {
        string name = _scope.Name("race");
        Peer peer = Peer.Start(_scope);
        using var stop = new CancellationTokenSource();
        int removedByGc = 0;
        Task collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (StaleRegionResult r in SharedMemoryCatalog.RemoveStale(dryRun: false))
                {
                    if (r.Region.Name == name && r.Outcome == StaleRegionOutcome.Removed)
                    {
                        Interlocked.Increment(ref removedByGc);
                    }
                }
            }
        });
        try
        {
            for (int round = 0; round < 200; round++)
            {
                MakeStaleFile(name, 64);
                if (round % 2 == 0)
                {
                    CliRun.WaitUntil(() => !Shm.Exists(name), $"round {round}: the collector removes the stale file");
                }

                string reply = peer.Do($"create-or-open {name} 64");
                Assert.True(reply == "created", $"round {round}: the stale file was taken for a live region ({reply})");
                peer.Expect("fill 5", "ok");
                Assert.True(Shm.Exists(name), $"round {round}: the region vanished while the peer held it");
                Assert.True(Patterns.FindMismatch(File.ReadAllBytes(Shm.PathOf(name)), 5) < 0, $"round {round}: the name no longer leads to the peer's region");
                peer.Expect("close", "closed");
            }
        }
        finally
        {
            stop.Cancel();
            peer.Exit();
            Shm.Delete(name);
        }

        await collector.WaitAsync(TimeSpan.FromSeconds(30)); // rethrows what the collector threw
        Assert.InRange(Volatile.Read(ref removedByGc), 100, 200); // every even round, and any odd one it won
    }

    /// <summary>A scoped region whose only holder was SIGKILLed.</summary>
    private void MakeStale(string name, string size)
    {
        Child hold = _scope.Track(Child.Cli("hold", name, "--size", size));
        Assert.Equal($"holding {name} ({size} bytes, created)", hold.ReadLine());
        hold.Kill();
    }

    /// <summary>What a killed holder leaves: a scoped (sticky) file of ours that nobody has locked.</summary>
    private static void MakeStaleFile(string name, int size)
    {
        File.WriteAllBytes(Shm.PathOf(name), new byte[size]);
        MakeScoped(name);
    }

    private static void MakeScoped(string name)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("/dev/shm files exist only on Linux");
        }

        File.SetUnixFileMode(Shm.PathOf(name), UnixFileMode.StickyBit | UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static List<string> Names(JsonElement json, string property) =>
        [.. json.GetProperty(property).EnumerateArray().Select(r => r.GetProperty("name").GetString()!)];

    private static JsonElement Find(JsonElement json, string property, string name)
    {
        foreach (JsonElement r in json.GetProperty(property).EnumerateArray())
        {
            if (r.GetProperty("name").GetString() == name)
            {
                return r;
            }
        }

        Assert.Fail($"'{name}' is not under \"{property}\": {json}");
        return default;
    }

    public void Dispose() => _scope.Dispose();
}
