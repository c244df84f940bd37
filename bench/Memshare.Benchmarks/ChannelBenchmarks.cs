using BenchmarkDotNet.Attributes;

namespace Memshare.Benchmarks;

/// <summary>
/// The channel's per-message cost in one thread, with no other process involved: one write and its read(s), so
/// the ring never fills and nothing waits. What is left is the bookkeeping (claim, tag, publish, consume) and the
/// copy; the cross-process figures are in the ipc and scale harnesses.
/// </summary>
[MemoryDiagnoser]
public class ChannelBenchmarks
{
    private readonly string _prefix = $"bench-chan-{Environment.ProcessId}-";
    private readonly byte[] _message = new byte[1024];
    private readonly byte[] _destination = new byte[1024];
    private readonly List<IDisposable> _owned = [];
    private SharedChannelWriter? _single;
    private SharedChannelReader? _singleReader;
    private SharedChannelWriter? _multi;
    private SharedChannelReader? _multiReader;
    private SharedChannelWriter? _broadcast;
    private SharedChannelReader? _broadcastReader0;
    private SharedChannelReader? _broadcastReader1;

    [GlobalSetup]
    public void Setup()
    {
        (_single, _singleReader) = Open("spsc", ChannelMode.SingleProducer);
        (_multi, _multiReader) = Open("mpsc", ChannelMode.MultiProducer);
        (_broadcast, _broadcastReader0) = Open("bcast", ChannelMode.Broadcast);
        _broadcastReader1 = _broadcastReader0.Channel.CreateReader(1);
        _owned.Add(_broadcastReader1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Writers and readers before their channels: a channel handle closes only once they are gone.
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "SPSC TryWrite+TryRead 64 B")]
    public int Spsc_WriteRead_64() => WriteRead(_single!, _singleReader!, 64);

    [Benchmark(Description = "SPSC TryWrite+TryRead 1 KiB")]
    public int Spsc_WriteRead_1K() => WriteRead(_single!, _singleReader!, 1024);

    /// <summary>Zero-copy on both sides: the message is built in the ring and read where it lies.</summary>
    [Benchmark(Description = "SPSC TryClaim+Commit, TryPeek+Advance 64 B")]
    public int Spsc_ClaimPeek_64()
    {
        if (!_single!.TryClaim(64, out Span<byte> slot))
        {
            return -1;
        }

        slot[0] = 1;
        _single.Commit();
        if (!_singleReader!.TryPeek(out ReadOnlySpan<byte> message))
        {
            return -1;
        }

        int first = message[0];
        _singleReader.Advance();
        return first;
    }

    /// <summary>Multi-producer mode: the writer takes and releases the shared writer lock around each message.</summary>
    [Benchmark(Description = "MPSC TryWrite+TryRead 64 B")]
    public int Mpsc_WriteRead_64() => WriteRead(_multi!, _multiReader!, 64);

    /// <summary>Broadcast with back-pressure and two attached readers: the writer checks the slower of them.</summary>
    [Benchmark(Description = "Broadcast TryWrite+2×TryRead 64 B")]
    public int Broadcast_WriteRead2_64()
    {
        if (!_broadcast!.TryWrite(_message.AsSpan(0, 64)))
        {
            return -1;
        }

        _ = _broadcastReader0!.TryRead(_destination, out int a);
        _ = _broadcastReader1!.TryRead(_destination, out int b);
        return a + b;
    }

    private int WriteRead(SharedChannelWriter writer, SharedChannelReader reader, int size)
    {
        if (!writer.TryWrite(_message.AsSpan(0, size)))
        {
            return -1;
        }

        _ = reader.TryRead(_destination, out int length);
        return length;
    }

    private (SharedChannelWriter, SharedChannelReader) Open(string suffix, ChannelMode mode)
    {
        SharedChannel channel = SharedChannel.CreateOrOpen(_prefix + suffix, new SharedChannelOptions { Mode = mode });
        _owned.Add(channel);
        SharedChannelReader reader = channel.CreateReader(0); // a broadcast reader must attach before the first write it is to see
        _owned.Add(reader);
        SharedChannelWriter writer = channel.CreateWriter();
        _owned.Add(writer);
        return (writer, reader);
    }
}
