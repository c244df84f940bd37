using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Memshare.Inspection;

namespace Memshare.Tests.Golden;

/// <summary>
/// The .NET decoder of the golden images: prints a region's manifest lines using only the public API (the typed
/// opens, the channel reader, <see cref="SharedMemoryCatalog"/>), plus raw bytes for the one thing no API reports,
/// the uncommitted record at a channel's writer position.
/// </summary>
internal static class DotNetDecoder
{
    public static List<string> Decode(string kind, string region) => kind switch
    {
        "value" => Value(region),
        "string" => String(region),
        "lock" => Lock(region),
        "channel" => Channel(region),
        _ => throw new ArgumentException($"no decoder for kind '{kind}'", nameof(kind)),
    };

    private static List<string> Value(string region)
    {
        SharedMemoryHeaderInfo h = SharedMemoryCatalog.GetInfo(region)!.Header!;
        using var value = SharedValue<Quote>.OpenExisting(region, SharedMemoryOptions.ReadOnly); // checks the fingerprint
        Quote q = value.Read();
        return
        [
            "kind value",
            "type " + h.TypeName,
            Invariant($"fingerprint 0x{h.Fingerprint:x16}"),
            Invariant($"size {h.PayloadSize}"),
            Invariant($"sequence {value.Version}"),
            "payload " + Convert.ToHexStringLower(MemoryMarshal.AsBytes(new[] { q }.AsSpan())),
            Invariant($"field 0 float64 {q.Bid}"),
            Invariant($"field 8 float64 {q.Ask}"),
            Invariant($"field 16 int32 {q.Size}"),
            Invariant($"field 20 int32 {q.Venue}"),
        ];
    }

    private static List<string> String(string region)
    {
        using var slot = SharedString.OpenExisting(region, SharedMemoryOptions.ReadOnly);
        byte[] text = new byte[slot.Capacity];
        int length = slot.Get(text);
        return
        [
            "kind string",
            Invariant($"capacity {slot.Capacity}"),
            Invariant($"sequence {slot.Version}"),
            Invariant($"length {length}"),
            length == 0 ? "text" : "text " + Convert.ToHexStringLower(text.AsSpan(0, length)),
        ];
    }

    private static List<string> Lock(string region)
    {
        SharedLockInfo info = SharedMemoryCatalog.GetInfo(region)!.Header!.Lock!;
        using var shared = SharedLock.OpenExisting(region);
        return
        [
            "kind lock",
            Held("owner", shared.OwnerProcessId, info.IsOwnerAlive),
            Invariant($"recoveries {shared.Recoveries}"),
        ];
    }

    private static List<string> Channel(string region)
    {
        SharedMemoryHeaderInfo h = SharedMemoryCatalog.GetInfo(region)!.Header!;
        SharedChannelInfo info = h.Channel!;
        var lines = new List<string>
        {
            "kind channel",
            Invariant($"capacity {info.Capacity}"),
            Invariant($"mode {(int)info.Mode!.Value}"),
            Invariant($"messages {info.MessagesWritten}"),
            Invariant($"writer-position {info.WriterPosition}"),
            Invariant($"reader-0-position {info.Readers[0].Position}"),
            Held("writer", info.WriterProcessId, info.IsWriterAlive),
        };
        using (var channel = SharedChannel.OpenExisting(region))
        using (SharedChannelReader reader = channel.CreateReader())
        {
            var buffer = new byte[channel.MaxMessageLength];
            while (reader.TryRead(buffer, out int n))
            {
                lines.Add(n == 0 ? "message 0" : Invariant($"message {n} {Convert.ToHexStringLower(buffer.AsSpan(0, n))}"));
            }
        }

        lines.Add(Uncommitted(region, h, info));
        return lines;
    }

    /// <summary>
    /// "uncommitted P length L sequence S" if the bytes at writer position P are a record header without a valid tag
    /// that carries the next sequence number and a possible length (a writer died mid-record); else "uncommitted none".
    /// </summary>
    private static string Uncommitted(string region, SharedMemoryHeaderInfo h, SharedChannelInfo info)
    {
        using var raw = SharedMemory.OpenExisting(region, SharedMemoryOptions.ReadOnly);
        long position = info.WriterPosition;
        ReadOnlySpan<byte> record = raw.ReadOnlySpan[(int)(h.HeaderSize + (position & (info.Capacity - 1)))..];
        int length = BinaryPrimitives.ReadInt32LittleEndian(record);
        uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(record[4..]);
        ulong tag = BinaryPrimitives.ReadUInt64LittleEndian(record[8..]);
        bool pending = tag != ((ulong)position ^ h.Fingerprint) && sequence == (uint)info.MessagesWritten
            && length >= 0 && length <= info.MaxMessageLength;
        return pending ? Invariant($"uncommitted {position} length {length} sequence {sequence}") : "uncommitted none";
    }

    private static string Held(string what, int? pid, bool? alive) =>
        pid is null ? what + " free" : Invariant($"{what} pid {pid} {(alive == false ? "dead" : "alive")}");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
