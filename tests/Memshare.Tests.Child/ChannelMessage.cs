using System.Buffers.Binary;

namespace Memshare.TestChild;

/// <summary>
/// The messages the channel tests send: every byte is a function of a 63-bit key, so a reader checks a whole
/// message against its key. Public so the test assembly and the child use exactly the same rules.
/// </summary>
/// <remarks>
/// <para>Layout of a message of n bytes: for n &gt;= <see cref="SelfDescribingMin"/>, bytes 0..8 hold the key
/// (little-endian), bytes 8..n-4 a window of a fixed pseudo-random pattern chosen by the key, and the last 4 bytes
/// a checksum of everything before them; a shorter message is just the pattern window. The length itself is a
/// function of the key (<see cref="Length"/>): mostly 0..300 bytes with an occasional large one, so records of
/// every size end at every offset of the ring and padding records happen all the time.</para>
/// <para>A reader that knows the next key checks length, key, checksum and every pattern byte
/// (<see cref="Check"/>); a reader that does not (several producers, overrun) reads the key out of a
/// self-describing message and checks the rest (<see cref="Identify"/>). A lost, duplicated, torn or corrupt message
/// fails one of the two.</para>
/// </remarks>
public static class ChannelMessage
{
    /// <summary>The shortest message that carries its key and checksum.</summary>
    public const int SelfDescribingMin = 12;

    /// <summary>The largest "small" length; larger ones are the occasional large messages.</summary>
    public const int SmallMax = 300;

    /// <summary>The largest length the codec supports.</summary>
    public const int MaxLength = 1 << 16;

    /// <summary>Key bits below a producer id: key = producer &lt;&lt; 40 | sequence.</summary>
    public const int ProducerShift = 40;

    private const int Window = 1 << 16;

    private static readonly byte[] s_pattern = MakePattern();

    /// <summary>
    /// The length of message <paramref name="key"/>: <paramref name="min"/>..300, or 1 time in 256 a large one of
    /// 301..<paramref name="large"/> (1 time in 4096 exactly <paramref name="large"/>) if <paramref name="large"/> &gt; 300.
    /// </summary>
    public static int Length(long key, int min, int large)
    {
        ulong h = Mix(key);
        if (large > SmallMax && (h & 0xFF) == 0)
        {
            return (h & 0xFFF) == 0 ? large : SmallMax + 1 + (int)((h >> 8) % (ulong)(large - SmallMax));
        }

        return min + (int)((h >> 8) % (ulong)(SmallMax + 1 - min));
    }

    /// <summary>The key of a producer's <paramref name="sequence"/>-th message.</summary>
    public static long KeyOf(int producer, long sequence) => ((long)producer << ProducerShift) | sequence;

    /// <summary>Writes message <paramref name="key"/> into all of <paramref name="destination"/> (whose length the caller chose).</summary>
    public static void Fill(Span<byte> destination, long key)
    {
        s_pattern.AsSpan(Offset(key), destination.Length).CopyTo(destination);
        if (destination.Length >= SelfDescribingMin)
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination, key);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[^4..], Checksum(destination[..^4]));
        }
    }

    /// <summary>Writes message <paramref name="key"/> with its own length into <paramref name="buffer"/>; returns the length.</summary>
    public static int Make(Span<byte> buffer, long key, int min, int large)
    {
        int length = Length(key, min, large);
        Fill(buffer[..length], key);
        return length;
    }

    /// <summary>True if <paramref name="message"/> is exactly message <paramref name="key"/>.</summary>
    public static bool Check(ReadOnlySpan<byte> message, long key, int min, int large)
    {
        if (message.Length != Length(key, min, large))
        {
            return false;
        }

        ReadOnlySpan<byte> expected = s_pattern.AsSpan(Offset(key), message.Length);
        if (message.Length < SelfDescribingMin)
        {
            return message.SequenceEqual(expected);
        }

        return BinaryPrimitives.ReadInt64LittleEndian(message) == key
            && message[8..^4].SequenceEqual(expected[8..^4])
            && BinaryPrimitives.ReadUInt32LittleEndian(message[^4..]) == Checksum(message[..^4]);
    }

    /// <summary>The key of a self-describing message if every byte of it is right; otherwise -1.</summary>
    public static long Identify(ReadOnlySpan<byte> message, int min, int large)
    {
        if (message.Length < SelfDescribingMin)
        {
            return -1;
        }

        long key = BinaryPrimitives.ReadInt64LittleEndian(message);
        return key >= 0 && Check(message, key, min, large) ? key : -1;
    }

    /// <summary>A 64-bit FNV-style checksum folded to 32 bits, eight bytes at a time.</summary>
    public static uint Checksum(ReadOnlySpan<byte> bytes)
    {
        ulong h = 0xCBF29CE484222325UL ^ (ulong)bytes.Length;
        int i = 0;
        for (; i + 8 <= bytes.Length; i += 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..])) * 0x100000001B3UL;
        }

        for (; i < bytes.Length; i++)
        {
            h = (h ^ bytes[i]) * 0x100000001B3UL;
        }

        return (uint)(h ^ (h >> 32));
    }

    private static int Offset(long key) => (int)((Mix(key) >> 32) & (Window - 1));

    private static ulong Mix(long key)
    {
        // splitmix64's finalizer: every key bit moves every output bit.
        ulong z = (ulong)key + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static byte[] MakePattern()
    {
        byte[] pattern = new byte[Window + MaxLength];
        new Random(20240611).NextBytes(pattern);
        return pattern;
    }
}
