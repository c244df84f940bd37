using System.Runtime.CompilerServices;
using Memshare.Sync;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// <c>floor-ring-dotnet</c>: bench/floor/floor-ring.c written in C# and run through the same harness loops as
/// <c>memshare</c>, so the two differ only in the ring code. Two bare SPSC rings over one <see cref="SharedMemory"/>
/// region (NAME.ring): the harness writes ring 0 and reads ring 1, the peer the other way round. Nothing is checked
/// and nothing can sleep: this is what the channel costs without its guarantees. <see cref="Costs"/> adds the
/// mechanism of each of the channel's guarantees back, one at a time, for the <c>costs</c> command
/// (<see cref="GuaranteeCosts"/>).
/// </summary>
/// <remarks>
/// Layout of one ring, as floor-ring.c: the producer's position at +0 and the consumer's at +128 (u64 byte counts
/// that only grow), then 1 MiB of records from +256. A record is a 16-byte header (u32 length, 4 unused bytes, u64
/// tag = position ^ salt, stored last with release semantics: the commit) and the payload padded to 16 bytes; a
/// record that would not fit before the end is preceded by a padding record (length 0xFFFFFFFF). With
/// <see cref="RingCosts.PageAligned"/> the records start at +4096 instead.
/// </remarks>
internal sealed unsafe class ManagedRingLink : IMessageLink
{
    private const int Capacity = 1 << 20;
    private const long Mask = Capacity - 1;
    private const int DataOffset = 256;
    private const int PageDataOffset = 4096;              // RingCosts.PageAligned: where SharedChannel's ring starts
    private const int RingBytes = PageDataOffset + Capacity;
    private const uint Padding = uint.MaxValue;
    private const ulong Salt = 0x9E3779B97F4A7C15;

    private readonly SharedMemory _region;
    private readonly CallGate _gate;   // RingCosts.Gate: the library's own gate, entered around each call
    private readonly byte[] _buffer = new byte[IpcSettings.MaxMessage];
    private readonly byte* _out;
    private readonly byte* _in;
    private readonly int* _sleepers; // RingCosts.SleeperCheck: a sleeper count on a line of its own that nobody raises
    private long _written;   // our producer position
    private long _freed;     // the consumer's position, as last read
    private long _read;      // our consumer position

    internal ManagedRingLink(string name, bool create)
    {
        _region = create ? SharedMemory.CreateNew(name + ".ring", 2L * RingBytes + 256) : SharedMemory.OpenExisting(name + ".ring");
        _gate = new CallGate(_region.Dispose);
        byte* rings = (byte*)(((nint)_region.DangerousGetPointer() + 127) & ~(nint)127);
        _out = create ? rings : rings + RingBytes;
        _in = create ? rings + RingBytes : rings;
        _sleepers = (int*)(rings + (2 * RingBytes));
    }

    /// <summary>The ring this side writes, laid out as floor-ring.c's <c>struct shared_ring</c> (for <see cref="CRingLoops"/>).</summary>
    internal byte* Outbound => _out;

    /// <summary>The ring this side reads.</summary>
    internal byte* Inbound => _in;

    /// <summary>This side's producer position; <see cref="CRingLoops"/> carries it on.</summary>
    internal long WritePosition
    {
        get => _written;
        set => _written = value;
    }

    /// <summary>The consumer's position as this producer last read it.</summary>
    internal long FreedPosition
    {
        get => _freed;
        set => _freed = value;
    }

    /// <summary>This side's consumer position.</summary>
    internal long ReadPosition
    {
        get => _read;
        set => _read = value;
    }

    /// <summary>Which of the channel's guarantee mechanisms each call pays for (both ends set the same).</summary>
    internal RingCosts Costs { get; set; }

    public Span<byte> SendBuffer(int length) => _buffer.AsSpan(0, length);

    public void Send(int length)
    {
        RingCosts costs = Costs;
        if ((costs & RingCosts.Checks) != 0 && (uint)length > IpcSettings.MaxMessage)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        if ((costs & RingCosts.Gate) != 0)
        {
            _gate.Enter(this);
            try
            {
                Write(length, costs);
            }
            finally
            {
                _gate.Exit();
            }
        }
        else
        {
            Write(length, costs);
        }
    }

    public int Receive(Span<byte> destination)
    {
        RingCosts costs = Costs;
        if ((costs & RingCosts.Gate) == 0)
        {
            return Read(destination, costs);
        }

        _gate.Enter(this);
        try
        {
            return Read(destination, costs);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Receives whose first look found nothing: the reader had caught up with the writer (for <c>costs</c>).</summary>
    internal long CaughtUp { get; set; }

    public void Dispose() => _gate.Close();

    private static int RecordSize(int length) => (16 + length + 15) & ~15;

    /// <summary>Where a ring's records start: after its two position lines, or on the next page as in a channel.</summary>
    private static byte* Data(byte* ring, RingCosts costs) => ring + ((costs & RingCosts.PageAligned) != 0 ? PageDataOffset : DataOffset);

    private void Write(int length, RingCosts costs)
    {
        long head = _written;
        int size = RecordSize(length);
        long toEnd = Capacity - (head & Mask);
        long need = size + (toEnd < size ? toEnd : 0);
        if (Capacity - (head - _freed) < need)
        {
            Stall stall = default;
            while (Capacity - (head - (_freed = Volatile.Read(ref *(long*)(_out + 128)))) < need)
            {
                stall.Spin("room in the ring");
            }
        }

        if (toEnd < size)
        {
            byte* pad = Data(_out, costs) + (head & Mask);
            *(uint*)pad = Padding;
            Volatile.Write(ref *(ulong*)(pad + 8), (ulong)head ^ Salt);
            head += toEnd;
        }

        byte* record = Data(_out, costs) + (head & Mask);
        *(int*)record = length;
        _buffer.AsSpan(0, length).CopyTo(new Span<byte>(record + 16, length));
        Volatile.Write(ref *(ulong*)(record + 8), (ulong)head ^ Salt); // the commit
        long position = head;
        head += size;
        _written = head;
        if ((costs & RingCosts.Counters) != 0)
        {
            ((long*)_out)[1]++;           // messages, for observers
            ((long*)_out)[2] = position;  // the newest record, for observers
        }

        Publish(ref *(long*)_out, head, costs);
    }

    private int Read(Span<byte> destination, RingCosts costs)
    {
        long tail = _read;
        byte* record = Committed(tail, costs);
        if (*(uint*)record == Padding)
        {
            tail += Capacity - (tail & Mask);
            record = Committed(tail, costs);
        }

        int length = *(int*)record;
        if ((costs & RingCosts.Checks) != 0 && ((uint)length > IpcSettings.MaxMessage || (tail & Mask) + RecordSize(length) > Capacity))
        {
            throw new InvalidDataException($"A record at {tail} claims {length} bytes.");
        }

        new ReadOnlySpan<byte>(record + 16, length).CopyTo(destination);
        tail += RecordSize(length);
        _read = tail;
        Publish(ref *(long*)(_in + 128), tail, costs); // frees the record for the producer
        return length;
    }

    /// <summary>
    /// Publishes a position. With <see cref="RingCosts.SleeperCheck"/>, as the channel does so a process asleep in a
    /// wait is woken: a look at a sleeper count (here one nobody raises, on a line nobody writes) right after the
    /// store; with <see cref="RingCosts.Fence"/>, a full fence before that look, as the channel did before
    /// 2026-12-06 (docs/format.md, "Wake-ups", says why it no longer needs one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Publish(ref long position, long value, RingCosts costs)
    {
        if ((costs & RingCosts.Fence) != 0)
        {
            Interlocked.Exchange(ref position, value);
        }
        else
        {
            Volatile.Write(ref position, value);
        }

        if ((costs & (RingCosts.Fence | RingCosts.SleeperCheck)) != 0 && Volatile.Read(ref *_sleepers) != 0)
        {
            throw new InvalidOperationException("Nobody sleeps on this ring.");
        }
    }

    private byte* Committed(long position, RingCosts costs)
    {
        byte* record = Data(_in, costs) + (position & Mask);
        if (Volatile.Read(ref *(ulong*)(record + 8)) != ((ulong)position ^ Salt))
        {
            CaughtUp++;
            Stall stall = default;
            while (Volatile.Read(ref *(ulong*)(record + 8)) != ((ulong)position ^ Salt))
            {
                stall.Spin("a message in the ring");
            }
        }

        return record;
    }
}

/// <summary>The mechanisms behind the channel's guarantees that <see cref="ManagedRingLink"/> can add back.</summary>
[Flags]
internal enum RingCosts
{
    None = 0,

    /// <summary>
    /// Not what the channel pays any more: a full fence before the sleeper check on every publish, the textbook way
    /// for a waker never to miss a sleeper. The channel dropped it on 2026-12-06 (its sleepers' first sleep is short instead).
    /// </summary>
    Fence = 1,

    /// <summary>CallGate's enter and exit around every call: a call racing Dispose throws instead of faulting.</summary>
    Gate = 2,

    /// <summary>The writer's message count and newest-record position on its line: observers (watch, sequence numbers).</summary>
    Counters = 4,

    /// <summary>Argument and record-length checks: a corrupt ring throws instead of reading outside the mapping.</summary>
    Checks = 8,

    /// <summary>Not a guarantee: the records start on a page boundary, as a channel's do, instead of 256 bytes in.</summary>
    PageAligned = 16,

    /// <summary>A look at a sleeper count after every publish, with no fence before it: a sleeping peer is woken.</summary>
    SleeperCheck = 32,

    /// <summary>What the channel pays per message.</summary>
    All = SleeperCheck | Gate | Counters | Checks,
}

internal sealed class ManagedRingTransport : Transport
{
    internal const string TransportName = "floor-ring-dotnet";

    internal override string Name => TransportName;

    internal override Endpoint Listen(string uniqueName) => new LinkEndpoint(new ManagedRingLink(uniqueName, create: true), uniqueName);

    internal override IMessageLink Connect(string[] args) => new ManagedRingLink(args[0], create: false);
}
