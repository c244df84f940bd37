using System.Globalization;
using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>CreateOrOpen: one creator per name, even when many processes race; nobody sees an uninitialised region.</summary>
[Collection("Spinning")]
public sealed class SharedMemoryCreateOrOpenTests : IDisposable
{
    private static readonly int Workers = Stress.Count(8, 4);
    private static readonly int Rounds = Stress.Count(100, 10);

    private readonly RegionScope _scope = new();
    private readonly ITestOutputHelper _output;

    public SharedMemoryCreateOrOpenTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void CreateOrOpen_RacedByEightProcesses_ExactlyOneCreatorPerRoundAndAllSeeItsBytes()
    {
        int[] winners = RaceRounds(Rounds, createNew: false, staleFirst: false);
        _output.WriteLine("rounds won per worker: " + string.Join(", ", winners));
    }

    [Fact]
    public void CreateOrOpen_RacedOnStaleName_ExactlyOneCreatorPerRound()
    {
        // Every round starts with a scoped region whose only holder was killed: the racers must agree that it is absent, exactly one creating.
        int[] winners = RaceRounds(Stress.Count(10, 3), createNew: false, staleFirst: true);
        _output.WriteLine("rounds won per worker: " + string.Join(", ", winners));
    }

    [Fact]
    public void CreateNew_RacedOnStaleName_ExactlyOneSucceedsOthersSeeRegionExists()
    {
        int[] winners = RaceRounds(Stress.Count(10, 3), createNew: true, staleFirst: true);
        _output.WriteLine("rounds won per worker: " + string.Join(", ", winners));
    }

    /// <summary>
    /// Runs <paramref name="rounds"/> races of <see cref="Workers"/> long-lived processes on a fresh name each and
    /// checks each round; returns how many rounds each worker won.
    /// </summary>
    private int[] RaceRounds(int rounds, bool createNew, bool staleFirst)
    {
        // The workers meet at a barrier in this region before each round, so their calls really overlap.
        using SharedMemory gate = SharedMemory.CreateNew(_scope.Name("gate"), 64);
        Child[] workers = [.. Enumerable.Range(0, Workers).Select(i =>
            _scope.Track(Child.Helper("race-worker", i.ToString(CultureInfo.InvariantCulture), Workers.ToString(CultureInfo.InvariantCulture), gate.Name)))];
        foreach (Child w in workers)
        {
            Assert.Equal("ready", w.ReadLine());
        }

        var winners = new int[Workers];
        for (int round = 0; round < rounds; round++)
        {
            string name = _scope.Name("r" + round.ToString(CultureInfo.InvariantCulture));
            if (staleFirst)
            {
                PlantStaleRegion(name);
            }

            foreach (Child w in workers)
            {
                w.WriteLine($"round {round} {name}{(createNew ? " create-new" : "")}");
            }

            string[] replies = [.. workers.Select(w => w.ReadLine())];
            string[][] parts = [.. replies.Select(r => r.Split(' '))];
            string all = $"round {round}: " + string.Join(" | ", replies);

            int[] creators = [.. Enumerable.Range(0, Workers).Where(i => parts[i][0] == "created")];
            Assert.True(creators.Length == 1, "expected exactly one creator; " + all);
            long creatorToken = (round * 1000L) + creators[0] + 1;
            if (createNew)
            {
                // The others were told the name exists: by then the winner had created it.
                Assert.True(parts.All(p => p[0] == "created" || (p[0] == "error" && p[1] == nameof(RegionExistsException))), all);
                Assert.True(parts[creators[0]][1] == creatorToken.ToString(CultureInfo.InvariantCulture) && parts[creators[0]][2] == "ok", all);
            }
            else
            {
                // Every worker read the token that the creator's initializer wrote: the creator's own, whole.
                Assert.True(parts.All(p => p.Length == 3 && p[0] is "created" or "opened" && p[2] == "ok"), "every worker must see a complete region; " + all);
                Assert.True(parts.All(p => p[1] == creatorToken.ToString(CultureInfo.InvariantCulture)), $"expected token {creatorToken} everywhere; " + all);
            }

            winners[creators[0]]++;

            Assert.True(RegionScope.Exists(name));
            foreach (Child w in workers)
            {
                w.WriteLine("release");
            }

            foreach (Child w in workers)
            {
                Assert.Equal("released", w.ReadLine());
            }

            // Scoped: the last holder to let go removed it.
            Assert.False(RegionScope.Exists(name), $"round {round}: the region outlived all its holders");
        }

        foreach (Child w in workers)
        {
            w.WriteLine("exit");
        }

        foreach (Child w in workers)
        {
            Assert.Equal(0, w.WaitForExit());
        }

        return winners;
    }

    /// <summary>
    /// Leaves at the name what a scoped region is after its only holder was killed: a stale name on POSIX
    /// (which the next opener must treat as absent), nothing at all on Windows (the kernel closed the handle).
    /// </summary>
    private void PlantStaleRegion(string name)
    {
        Peer holder = Peer.Start(_scope);
        holder.Expect($"create-new {name} 4096", "created");
        holder.Kill();
    }

    [Fact]
    public void CreateOrOpen_ExistingRegion_OpensItWithRequestedViewAndCreatedFalse()
    {
        string name = _scope.Name();
        using SharedMemory first = SharedMemory.CreateOrOpen(name, 8192, out bool created1, m => Patterns.Fill(m, 5));
        using SharedMemory second = SharedMemory.CreateOrOpen(name, 4096, out bool created2, m => m.Fill(0xEE));

        Assert.True(created1);
        Assert.False(created2);
        Assert.Equal(4096, second.Size);
        Assert.Equal(8192, second.RegionSize);
        Assert.Equal(-1, Patterns.FindMismatch(second.ReadOnlySpan, 5)); // the second initializer never ran
    }

    [Fact]
    public void CreateOrOpen_OtherProcessHoldsRegion_OpensSameBytes()
    {
        string name = _scope.Name();
        Peer peer = Peer.Start(_scope);
        peer.Expect($"create-or-open {name} 10000 init=9", "created");

        using SharedMemory region = SharedMemory.CreateOrOpen(name, 10000, out bool created);
        Assert.False(created);
        Assert.Equal(-1, Patterns.FindMismatch(region.ReadOnlySpan, 9));

        Patterns.Fill(region.Span, 10);
        peer.Expect("check 10", "ok");
        peer.Exit();
    }

    [Fact]
    public void CreateOrOpen_InitializerThrows_PropagatesAndCreatesNothing()
    {
        string name = _scope.Name();
        var boom = new InvalidOperationException("initializer failed");
        RegionInitializer fail = _ => throw boom;

        Exception e = Assert.Throws<InvalidOperationException>(() => SharedMemory.CreateOrOpen(name, 4096, out _, fail));

        Assert.Same(boom, e);
        Assert.Empty(_scope.Leftovers());
        Assert.False(SharedMemory.TryOpenExisting(name, out _));
    }

    public void Dispose() => _scope.Dispose();
}
