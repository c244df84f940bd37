using NATS.Client.JetStream.Models;

namespace Memshare.Nats;

/// <summary>
/// The publishes in flight, oldest first: each one's pending acknowledgement and a reusable copy of its payload
/// (the NATS client may write the bytes after PublishAsync returns, so they must stay put until it completes).
/// </summary>
internal sealed class PublishWindow(int capacity)
{
    private readonly ValueTask<PubAckResponse>[] _acks = new ValueTask<PubAckResponse>[capacity];
    private readonly byte[][] _buffers = new byte[capacity][];
    private readonly int[] _lengths = new int[capacity];
    private int _head;

    public int Count { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>The length of the message <see cref="TakeOldestAsync"/> returned last.</summary>
    public int LastLength { get; private set; }

    public bool OldestCompleted => _acks[_head].IsCompleted;

    /// <summary>Copies <paramref name="message"/> into the next slot's buffer (grown, never shrunk, so steady state allocates nothing).</summary>
    public ReadOnlyMemory<byte> Stage(ReadOnlySpan<byte> message)
    {
        int slot = (_head + Count) % _acks.Length;
        byte[]? buffer = _buffers[slot];
        if (buffer is null || buffer.Length < message.Length)
        {
            buffer = _buffers[slot] = new byte[Math.Max(64, (int)Math.Min(int.MaxValue, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)message.Length)))];
        }

        message.CopyTo(buffer);
        return buffer.AsMemory(0, message.Length);
    }

    public void Add(ValueTask<PubAckResponse> ack, int length)
    {
        int slot = (_head + Count) % _acks.Length;
        _acks[slot] = ack;
        _lengths[slot] = length;
        Count++;
        Bytes += length;
    }

    /// <summary>Awaits the oldest publish and removes it; its result or its failure. Pooled: no allocation per await.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(PubAckResponse? Ack, Exception? Error)> TakeOldestAsync()
    {
        ValueTask<PubAckResponse> pending = _acks[_head];
        _acks[_head] = default;
        LastLength = _lengths[_head];
        _head = (_head + 1) % _acks.Length;
        Count--;
        Bytes -= LastLength;
        try
        {
            return (await pending.ConfigureAwait(false), null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }

    /// <summary>Awaits every publish still in flight, ignoring results: they will be sent again.</summary>
    public async ValueTask DrainAsync()
    {
        while (Count > 0)
        {
            _ = await TakeOldestAsync().ConfigureAwait(false);
        }
    }
}
