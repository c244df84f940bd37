namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// <c>floor-ring-dotnet</c>: bench/floor/floor-ring.c written in C# and run through the same harness loops as
/// <c>memshare</c>, so the two differ only in the ring code. Two bare SPSC rings over one <see cref="SharedMemory"/>
/// region (NAME.ring): the harness writes ring 0 and reads ring 1, the peer the other way round. Nothing is checked
/// and nothing can sleep: this is what the channel costs without its guarantees (see docs/performance.md,
/// "What each guarantee costs").
/// </summary>
/// <remarks>
/// Layout of one ring, as floor-ring.c: the producer's position at +0 and the consumer's at +128 (u64 byte counts
/// that only grow), then 1 MiB of records from +256. A record is a 16-byte header (u32 length, 4 unused bytes, u64
/// tag = position ^ salt, stored last with release semantics: the commit) and the payload padded to 16 bytes; a
/// record that would not fit before the end is preceded by a padding record (length 0xFFFFFFFF).
/// </remarks>
internal sealed unsafe class ManagedRingLink : IMessageLink
{
    private const int Capacity = 1 << 20;
    private const long Mask = Capacity - 1;
    private const int DataOffset = 256;
    private const int RingBytes = DataOffset + Capacity;
    private const uint Padding = uint.MaxValue;
    private const ulong Salt = 0x9E3779B97F4A7C15;

    private readonly SharedMemory _region;
    private readonly byte[] _buffer = new byte[IpcSettings.MaxMessage];
    private readonly byte* _out;
    private readonly byte* _in;
    private long _written;   // our producer position
    private long _freed;     // the consumer's position, as last read
    private long _read;      // our consumer position

    internal ManagedRingLink(string name, bool create)
    {
        _region = create ? SharedMemory.CreateNew(name + ".ring", 2L * RingBytes + 128) : SharedMemory.OpenExisting(name + ".ring");
        byte* rings = (byte*)(((nint)_region.DangerousGetPointer() + 127) & ~(nint)127);
        _out = create ? rings : rings + RingBytes;
        _in = create ? rings + RingBytes : rings;
    }

    public Span<byte> SendBuffer(int length) => _buffer.AsSpan(0, length);

    public void Send(int length)
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
            byte* pad = _out + DataOffset + (head & Mask);
            *(uint*)pad = Padding;
            Volatile.Write(ref *(ulong*)(pad + 8), (ulong)head ^ Salt);
            head += toEnd;
        }

        byte* record = _out + DataOffset + (head & Mask);
        *(int*)record = length;
        _buffer.AsSpan(0, length).CopyTo(new Span<byte>(record + 16, length));
        Volatile.Write(ref *(ulong*)(record + 8), (ulong)head ^ Salt); // the commit
        head += size;
        _written = head;
        Volatile.Write(ref *(long*)_out, head);
    }

    public int Receive(Span<byte> destination)
    {
        long tail = _read;
        byte* record = Committed(tail);
        if (*(uint*)record == Padding)
        {
            tail += Capacity - (tail & Mask);
            record = Committed(tail);
        }

        int length = *(int*)record;
        new ReadOnlySpan<byte>(record + 16, length).CopyTo(destination);
        tail += RecordSize(length);
        _read = tail;
        Volatile.Write(ref *(long*)(_in + 128), tail); // frees the record for the producer
        return length;
    }

    public void Dispose() => _region.Dispose();

    private static int RecordSize(int length) => (16 + length + 15) & ~15;

    private byte* Committed(long position)
    {
        byte* record = _in + DataOffset + (position & Mask);
        if (Volatile.Read(ref *(ulong*)(record + 8)) != ((ulong)position ^ Salt))
        {
            Stall stall = default;
            while (Volatile.Read(ref *(ulong*)(record + 8)) != ((ulong)position ^ Salt))
            {
                stall.Spin("a message in the ring");
            }
        }

        return record;
    }
}

internal sealed class ManagedRingTransport : Transport
{
    internal const string TransportName = "floor-ring-dotnet";

    internal override string Name => TransportName;

    internal override Endpoint Listen(string uniqueName) => new LinkEndpoint(new ManagedRingLink(uniqueName, create: true), uniqueName);

    internal override IMessageLink Connect(string[] args) => new ManagedRingLink(args[0], create: false);
}
