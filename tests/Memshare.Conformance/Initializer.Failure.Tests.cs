using System.Diagnostics;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>A creator whose initializer fails or hangs never leaves others with a half-made region or an endless wait.</summary>
public sealed class InitializerFailureTests : IDisposable
{
    private readonly RegionScope _scope = new();

    [Fact]
    public void CreateNew_InitializerThrows_RegionIsGoneAtOnce()
    {
        string name = _scope.Name();
        RegionInitializer fail = _ => throw new InvalidOperationException("initializer failed");

        Assert.Throws<InvalidOperationException>(() => SharedMemory.CreateNew(name, 4096, fail));

        // At once, with no GC in between: neither this process nor another may find it, and the name is free.
        Assert.False(RegionScope.Exists(name), "the half-initialised region is still visible in the creating process");
        Peer p = Peer.Start(_scope);
        p.Expect($"try-open {name}", "absent");
        using SharedMemory again = SharedMemory.CreateNew(name, 4096);
        p.Exit();
    }

    [Fact]
    public async Task OpenExisting_WhileCreatorHangsInInitializer_FailsWithinBoundAndNamesRegion()
    {
        string name = _scope.Name();
        Child creator = _scope.Track(Child.Helper("init-hang", name));
        Assert.Equal("initializing", creator.ReadLine());

        var clock = Stopwatch.StartNew();
        Task<Exception?> open = Task.Run(Exception? () =>
        {
            try
            {
                using SharedMemory region = SharedMemory.OpenExisting(name);
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        }, TestContext.Current.CancellationToken);
        bool returned = await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(40), TestContext.Current.CancellationToken)) == open;
        creator.Kill();
        Assert.True(returned, "OpenExisting still waits after 40 s behind a creator whose initializer hangs");

        // Linux links the name only once it is complete (not found); Windows waits a bounded time for the
        // creator's init mutex, then says what is going on. Never a view of the uninitialised region.
        Exception? error = await open;
        Assert.NotNull(error);
        Assert.True(error is RegionNotFoundException || (error is IOException && error.Message.Contains(name, StringComparison.Ordinal)
            && error.Message.Contains("initialis", StringComparison.Ordinal)),
            $"after {clock.Elapsed.TotalSeconds:F1} s: {error.GetType().Name}: {error.Message}");
    }

    public void Dispose() => _scope.Dispose();
}
