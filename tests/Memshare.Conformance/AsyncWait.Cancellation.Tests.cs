using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>An async wait cancelled at any moment, even before it began to sleep, keeps nothing alive after Dispose.</summary>
public sealed class AsyncWaitCancellationTests : IDisposable
{
    private const int Rounds = 200;

    private readonly RegionScope _scope = new();

    [Fact]
    public async Task SharedEventWaitAsync_CancelledRightAfterStart_DisposeStillRemovesTheRegion()
    {
        string name = _scope.Name();
        var sharedEvent = SharedEvent.CreateOrOpen(name);
        for (int i = 0; i < Rounds; i++)
        {
            using var cts = new CancellationTokenSource();
            Task<bool> wait = sharedEvent.WaitAsync(TimeSpan.FromSeconds(30), cts.Token).AsTask();
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        }

        sharedEvent.Dispose();
        Assert.False(RegionScope.Exists(name), "a cancelled WaitAsync still holds the event's region after Dispose");
    }

    [Fact]
    public async Task ChannelWaitToReadAsync_CancelledRightAfterStart_DisposeStillRemovesTheRegion()
    {
        string name = _scope.Name();
        var channel = SharedChannel.CreateOrOpen(name);
        SharedChannelReader reader = channel.CreateReader();
        for (int i = 0; i < Rounds; i++)
        {
            using var cts = new CancellationTokenSource();
            Task<bool> wait = reader.WaitToReadAsync(cts.Token).AsTask();
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        }

        reader.Dispose();
        channel.Dispose();
        Assert.False(RegionScope.Exists(name), "a cancelled WaitToReadAsync still holds the channel's region after Dispose");
    }

    public void Dispose() => _scope.Dispose();
}
