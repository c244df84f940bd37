using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Memshare.Layout;

namespace Memshare.Tests.Golden;

/// <summary>
/// Builds the golden images with the real library, deterministically. Where the library leaves something to chance
/// or to a live process, the generator patches bytes, and the manifest says so:
/// <list type="bullet">
/// <item>channels: the random salt (header Fingerprint) is replaced by <see cref="Salt"/> right after creation,
/// before any record is written; the channel is then reopened so the writer tags every record with it;</item>
/// <item>dead owners: an owner word is set to <see cref="DeadToken"/>, pid 4194309 (above Linux's PID_MAX_LIMIT of
/// 2^22, so no process can have it) with start-time stamp 0x2468ACE1;</item>
/// <item>the killed writer: its uncommitted record (Length, Sequence and the first half of the payload, no Tag) is
/// written by hand at the writer position, exactly the bytes a writer killed mid-payload leaves (docs/format.md).</item>
/// </list>
/// Everything else is what SharedValue, SharedString, SharedLock and the channel writer and reader wrote.
/// </summary>
internal static class GoldenImages
{
    public const ulong Salt = 0x5EED_601D_E41A_6E5B;
    public const int DeadPid = 4_194_309;
    public const uint DeadStamp = 0x2468ACE1;
    public const ulong DeadToken = ((ulong)DeadStamp << 32) | DeadPid;

    public static GoldenImage Build(string name, string regionName) => name switch
    {
        "value" => Value(regionName),
        "string" => String(regionName),
        "lock-dead-owner" => DeadOwnerLock(regionName),
        "channel-wrapped" => WrappedChannel(regionName),
        "channel-killed-writer" => KilledWriterChannel(regionName),
        _ => throw new ArgumentException($"no golden image '{name}'", nameof(name)),
    };

    private static GoldenImage Value(string region)
    {
        Quote last = new(101.25, 101.5, 300, 7);
        using var value = SharedValue<Quote>.CreateNew(region, new Quote(100, 100.5, 100, 1));
        value.Write(new Quote(100.75, 101, 200, 3));
        value.Write(new Quote(101, 101.25, 250, 5));
        value.Write(last); // Sequence 3: slot 1 is current, slot 0 holds the previous write
        byte[] bytes = Snapshot(region);
        return new("value", bytes,
        [
            "# SharedValue<Quote> (tests/Memshare.Tests/Golden/Quote.cs): created with (100, 100.5, 100, 1), then written",
            "# (100.75, 101, 200, 3), (101, 101.25, 250, 5), (101.25, 101.5, 300, 7). Current: slot 1 (Sequence & 1).",
            "# Fingerprint line: memshare-layout/2 24 Quote 0:float64 8:float64 16:int32 20:int32",
            "kind value",
            "type Quote",
            Invariant($"fingerprint 0x{BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24)):x16}"),
            "size 24",
            "sequence 3",
            "payload " + Convert.ToHexStringLower(MemoryMarshal.AsBytes(new[] { last }.AsSpan())),
            "field 0 float64 101.25",
            "field 8 float64 101.5",
            "field 16 int32 300",
            "field 20 int32 7",
        ]);
    }

    private static GoldenImage String(string region)
    {
        const string Text = "Grüße, 世界: golden";
        using var slot = SharedString.CreateNew(region, 40);
        slot.Set("older text");
        slot.Set(Text); // Sequence 2: slot 0 is current, slot 1 holds "older text"
        byte[] utf8 = Encoding.UTF8.GetBytes(Text);
        return new("string", Snapshot(region),
        [
            $"# SharedString of capacity 40: set \"older text\", then \"{Text}\". Current: slot 0 (Sequence & 1).",
            "kind string",
            "capacity 40",
            "sequence 2",
            Invariant($"length {utf8.Length}"),
            "text " + Convert.ToHexStringLower(utf8),
        ]);
    }

    private static GoldenImage DeadOwnerLock(string region)
    {
        using var shared = SharedLock.CreateOrOpen(region);
        using var raw = SharedMemory.OpenExisting(region);
        raw.AsRef<ulong>(LockState.Offset) = DeadToken; // Owner: what a holder killed while holding it leaves
        return new("lock-dead-owner", raw.ReadOnlySpan.ToArray(),
        [
            Invariant($"# A SharedLock whose Owner (offset 64) was set to token 0x{DeadToken:x16}: pid {DeadPid}, stamp 0x{DeadStamp:x8}."),
            "# No process can have that pid on Linux (PID_MAX_LIMIT is 2^22), so every decoder must call the owner dead.",
            "kind lock",
            Invariant($"owner pid {DeadPid} dead"),
            "recoveries 0",
        ]);
    }

    /// <summary>
    /// A 4 KiB single-producer ring that wrapped: messages 0-2 (1000 bytes) fill 0..3072, reader 0 takes 0 and 1,
    /// message 3 (1100 bytes) does not fit before the end, so padding covers 3072..4096 and it lands at 4096 (ring
    /// offset 0), then messages 4 (13 bytes) and 5 (empty).
    /// </summary>
    private static GoldenImage WrappedChannel(string region)
    {
        byte[][] messages = [Message(0, 1000), Message(1, 1000), Message(2, 1000), Message(3, 1100), "hello, golden"u8.ToArray(), []];
        using SharedMemory raw = SaltedChannel(region);
        using (var channel = SharedChannel.OpenExisting(region))
        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            for (int i = 0; i < 3; i++)
            {
                Assert.True(writer.TryWrite(messages[i]));
            }

            using (SharedChannelReader reader = channel.CreateReader())
            {
                var buffer = new byte[channel.MaxMessageLength];
                Assert.True(reader.TryRead(buffer, out _));
                Assert.True(reader.TryRead(buffer, out _));
            }

            for (int i = 3; i < messages.Length; i++)
            {
                Assert.True(writer.TryWrite(messages[i]));
            }
        }

        long tail = 4096 + ChannelLayout.RecordSize(1100) + ChannelLayout.RecordSize(13) + ChannelLayout.RecordSize(0);
        return new("channel-wrapped", raw.ReadOnlySpan.ToArray(),
        [
            Invariant($"# Single-producer channel, capacity 4096, salt 0x{Salt:x16} (patched in before the first record)."),
            "# Messages 0-2 (1000 bytes) at 0, 1024, 2048; reader 0 read messages 0 and 1; message 3 (1100 bytes) did not fit",
            "# before the ring's end: padding at 3072, the record at 4096 (ring offset 0); then messages 4 and 5 (empty).",
            "# No writer or reader is attached. The bytes at the writer position are stale payload of message 1: no record.",
            "kind channel",
            "capacity 4096",
            "mode 0",
            "messages 6",
            Invariant($"writer-position {tail}"),
            "reader-0-position 2048",
            "writer free",
            .. messages[2..].Select(MessageLine),
            "uncommitted none",
        ]);
    }

    /// <summary>
    /// A channel whose writer was killed in the middle of its fourth message: three committed messages (reader 0 read
    /// the first), then Length and Sequence and half the payload of a record whose Tag was never stored.
    /// </summary>
    private static GoldenImage KilledWriterChannel(string region)
    {
        byte[][] messages = ["first message"u8.ToArray(), "second message"u8.ToArray(), "third message"u8.ToArray()];
        byte[] unfinished = "fourth message: never committed"u8.ToArray();
        using SharedMemory raw = SaltedChannel(region);
        long tail;
        using (var channel = SharedChannel.OpenExisting(region))
        {
            using (SharedChannelWriter writer = channel.CreateWriter())
            {
                foreach (byte[] m in messages)
                {
                    Assert.True(writer.TryWrite(m));
                }
            }

            using SharedChannelReader reader = channel.CreateReader();
            Assert.True(reader.TryRead(new byte[channel.MaxMessageLength], out _));
            tail = messages.Sum(m => (long)ChannelLayout.RecordSize(m.Length));
        }

        int data = ChannelLayout.DataOffset(1);
        Span<byte> record = raw.Span.Slice(data + (int)tail, ChannelLayout.RecordSize(unfinished.Length));
        BinaryPrimitives.WriteInt32LittleEndian(record, unfinished.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)messages.Length);
        unfinished.AsSpan(0, unfinished.Length / 2).CopyTo(record[ChannelLayout.RecordHeaderSize..]);
        raw.AsRef<ulong>(ChannelLayout.WriterLockLine) = DeadToken; // the role the killed writer still holds
        return new("channel-killed-writer", raw.ReadOnlySpan.ToArray(),
        [
            Invariant($"# Single-producer channel, capacity 4096, salt 0x{Salt:x16} (patched in before the first record)."),
            "# Three committed messages at 0, 32, 64; reader 0 read the first. Then, by hand: WriterLock (offset 384) set to",
            Invariant($"# the dead token 0x{DeadToken:x16}, and at position {tail} the Length ({unfinished.Length}) and Sequence (3) of a record"),
            Invariant($"# with the first {unfinished.Length / 2} bytes of \"{Encoding.ASCII.GetString(unfinished)}\" and no Tag: a writer killed mid-payload."),
            "kind channel",
            "capacity 4096",
            "mode 0",
            "messages 3",
            Invariant($"writer-position {tail}"),
            "reader-0-position 32",
            Invariant($"writer pid {DeadPid} dead"),
            .. messages[1..].Select(MessageLine),
            Invariant($"uncommitted {tail} length {unfinished.Length} sequence 3"),
        ]);
    }

    /// <summary>Creates a 4 KiB single-producer channel and replaces its random salt; the returned handle keeps it alive.</summary>
    private static SharedMemory SaltedChannel(string region)
    {
        using var channel = SharedChannel.CreateOrOpen(region, new SharedChannelOptions { Capacity = 4096 });
        SharedMemory raw = SharedMemory.OpenExisting(region);
        raw.AsRef<ulong>(24) = Salt; // RegionHeader.Fingerprint; no record exists yet, so no tag used the old salt
        return raw;
    }

    /// <summary>Message i of the wrapped channel: letters from 'a' + i on, so each has its own contents.</summary>
    private static byte[] Message(int i, int length)
    {
        var m = new byte[length];
        for (int j = 0; j < length; j++)
        {
            m[j] = (byte)('a' + ((i + j) % 26));
        }

        return m;
    }

    private static string MessageLine(byte[] m) =>
        m.Length == 0 ? "message 0" : Invariant($"message {m.Length} {Convert.ToHexStringLower(m)}");

    private static byte[] Snapshot(string region)
    {
        using var raw = SharedMemory.OpenExisting(region, SharedMemoryOptions.ReadOnly);
        return raw.ReadOnlySpan.ToArray();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
