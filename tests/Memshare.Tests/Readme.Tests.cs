using Memshare.Tests.Infrastructure;

namespace Memshare.Tests;

/// <summary>The README's quick start, line for line except for unique names, so the snippet keeps compiling.</summary>
public sealed class ReadmeTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void QuickStart_RunsAsWritten()
    {
        // Process A: create a region, or open it if another process was first.
        using SharedMemory region = SharedMemory.CreateOrOpen(_scope.Name("telemetry"), 4096, out bool created);
        if (created) "hello"u8.CopyTo(region.Span);        // a new region reads as zeros

        // Process B: typed values that are never torn, and strings that are never mixed.
        using SharedValue<Quote> quote = SharedValue<Quote>.CreateOrOpen(_scope.Name("quote"), out _);
        quote.Write(new Quote(101.5, 101.7));
        Quote now = quote.Read();                           // some writer's complete value
        using SharedString status = SharedString.CreateOrOpen(_scope.Name("status"), capacity: 256, out _);
        status.Set("ready");                                // too long? ArgumentException, nothing changed

        Assert.True(created);
        Assert.Equal("hello"u8.ToArray(), region.ReadOnlySpan[..5].ToArray());
        Assert.Equal(new Quote(101.5, 101.7), now);
        Assert.Equal("ready", status.Get());
        Assert.Throws<ArgumentException>(() => status.Set(new string('x', 257)));
        Assert.Equal("ready", status.Get());
    }

    [Fact]
    public async Task SyncSnippet_RunsAsWritten()
    {
        using SharedLock gate = SharedLock.CreateOrOpen(_scope.Name("orders.lock"));
        using (SharedLockGuard held = gate.Acquire(TimeSpan.FromSeconds(5)))
        {
            if (held.PreviousOwnerDied) { /* the last owner crashed mid-update: repair first */ }
            Assert.False(held.PreviousOwnerDied);
            Assert.False(gate.TryAcquire(out _));
        }

        using SharedEvent ready = SharedEvent.CreateOrOpen(_scope.Name("orders.ready"), EventResetMode.AutoReset);
        ready.Set();                                        // no system call unless someone is asleep
        bool signalled = await ready.WaitAsync(TimeSpan.FromSeconds(1));

        Assert.True(signalled);
        Assert.False(ready.IsSet); // auto-reset: the wait consumed it
    }

    [Fact]
    public async Task ChannelSnippet_RunsAsWritten()
    {
        using SharedChannel channel = SharedChannel.CreateOrOpen(_scope.Name("ticks"), new SharedChannelOptions { Capacity = 1 << 20 });
        using SharedChannelWriter writer = channel.CreateWriter();      // in the producer process
        writer.TryWrite("hello"u8);                                     // false if full; WriteAsync waits for room
        if (writer.TryClaim(64, out Span<byte> slot)) { slot.Fill(1); writer.Commit(); }   // write in place

        using SharedChannelReader reader = channel.CreateReader();      // in the consumer process
        await reader.WaitToReadAsync();
        if (reader.TryPeek(out ReadOnlySpan<byte> message)) { Assert.Equal("hello"u8.ToArray(), message.ToArray()); reader.Advance(); }

        Assert.True(reader.TryRead(new byte[64], out int length));
        Assert.Equal(64, length);
        Assert.False(reader.TryRead(new byte[64], out _));
    }

    public void Dispose() => _scope.Dispose();

    public readonly record struct Quote(double Bid, double Ask);
}
