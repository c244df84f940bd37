using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Memshare.Tests.Peers;

/// <summary>The 64-byte value the C peer mirrors as <c>uint64_t w[8]</c>: word 0 a counter, 1-6 mixed from it, 7 a check.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct CPeerValue : IEquatable<CPeerValue>
{
    public ulong W0, W1, W2, W3, W4, W5, W6, W7;

    public readonly bool Equals(CPeerValue other) => MemoryMarshal.AsBytes(new ReadOnlySpan<CPeerValue>(in this))
        .SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<CPeerValue>(in other)));

    public override readonly bool Equals(object? obj) => obj is CPeerValue v && Equals(v);

    public override readonly int GetHashCode() => W0.GetHashCode();

    public static bool operator ==(CPeerValue left, CPeerValue right) => left.Equals(right);

    public static bool operator !=(CPeerValue left, CPeerValue right) => !left.Equals(right);

    public override readonly string ToString() => $"CPeerValue({W0}: {W1:x16} .. {W7:x16})";
}

/// <summary>
/// Self-validating payloads, derived from a counter exactly as interop/c/tests/peer.c derives them, so a torn or
/// wrong copy shows on either side.
/// </summary>
public static class CPatterns
{
    public static ulong Mix(ulong x)
    {
        ulong z = unchecked(x + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>String k: 16 hex digits of k, ':', then letters derived from k; 17 to 196 bytes.</summary>
    public static string StringFor(ulong k)
    {
        int length = 17 + (int)(unchecked(k * 37) % 180);
        var sb = new StringBuilder(length);
        sb.Append(k.ToString("x16", CultureInfo.InvariantCulture)).Append(':');
        for (int i = 17; i < length; i++)
        {
            sb.Append((char)('a' + (int)(unchecked(k + ((ulong)i * 7)) % 26)));
        }

        return sb.ToString();
    }

    public static bool TryParseString(string text, out ulong k)
    {
        k = 0;
        return text.Length >= 17 && text[16] == ':'
            && ulong.TryParse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out k)
            && StringFor(k) == text;
    }

    public static CPeerValue ValueFor(ulong k)
    {
        Span<ulong> w = stackalloc ulong[8];
        w[0] = k;
        w[7] = 0x9E3779B97F4A7C15UL ^ k;
        for (int i = 1; i < 7; i++)
        {
            w[i] = Mix(unchecked(k + (ulong)i));
            w[7] ^= w[i];
        }

        return MemoryMarshal.Read<CPeerValue>(MemoryMarshal.AsBytes(w));
    }

    public static bool IsValid(in CPeerValue v) => ValueFor(v.W0).Equals(v);

    public static string Hex(in CPeerValue v) =>
        Convert.ToHexStringLower(MemoryMarshal.AsBytes(new ReadOnlySpan<CPeerValue>(in v)));

    /// <summary>Message k of a stream: its length (0 to <paramref name="max"/>) and bytes derive from seed and k.</summary>
    public static int MessageFor(ulong seed, ulong k, int max, Span<byte> destination)
    {
        int length = (int)(Mix(seed ^ unchecked(k * 0x100000001B3UL)) % (ulong)(max + 1));
        ulong h = Mix(unchecked(seed + k));
        for (int j = 0; j < length; j++)
        {
            destination[j] = (byte)((byte)(h >> (8 * (j & 7))) ^ (byte)(j >> 3));
        }

        return length;
    }
}
