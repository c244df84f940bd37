using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Memshare.TestChild;

/// <summary>
/// Self-validating contents shared by the tests and the child: any mix of two writes, or bytes that were
/// never written, fails validation. Public so the test assembly checks with exactly the same rules.
/// </summary>
public static class Patterns
{
    // Characters for string version k; two of them take 2 UTF-8 bytes and one takes 3, so byte and char counts differ.
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzäö€";

    /// <summary>The longest UTF-8 string <see cref="StringFor"/> makes: 20 digits, ':', 200 characters of up to 3 bytes.</summary>
    public const int MaxStringBytes = 20 + 1 + (200 * 3);

    /// <summary>
    /// Version <paramref name="k"/> of a string: "k:" then one character repeated, where both the character and
    /// the count are functions of k. A string torn between two versions has the wrong count or mixed characters.
    /// </summary>
    public static string StringFor(long k)
    {
        (char c, int count) = Shape(k);
        return k.ToString(CultureInfo.InvariantCulture) + ":" + new string(c, count);
    }

    /// <summary>True if <paramref name="s"/> is "" (k = -1, a new slot) or exactly <see cref="StringFor"/>(k).</summary>
    public static bool TryParseString(string s, out long k)
    {
        k = -1;
        if (s.Length == 0)
        {
            return true;
        }

        int colon = s.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(s.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out k))
        {
            return false;
        }

        (char c, int count) = Shape(k);
        ReadOnlySpan<char> rest = s.AsSpan(colon + 1);
        return rest.Length == count && !rest.ContainsAnyExcept(c);
    }

    /// <summary><see cref="TryParseString"/> on UTF-8 bytes; invalid UTF-8 counts as torn.</summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> utf8, out long k)
    {
        k = -1;
        try
        {
            return TryParseString(new UTF8Encoding(false, true).GetString(utf8), out k);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static (char C, int Count) Shape(long k)
    {
        ulong u = (ulong)k;
        return (Alphabet[(int)(u % (ulong)Alphabet.Length)], 1 + (int)(u * 7919 % 200));
    }

    /// <summary>Byte <paramref name="index"/> of pattern <paramref name="seed"/>; never 0, so it differs from fresh memory.</summary>
    public static byte ByteAt(int seed, long index) => (byte)(1 + (int)((ulong)((index * 31) + (index >> 8) + (seed * 131L)) % 255));

    /// <summary>Fills <paramref name="span"/> with pattern <paramref name="seed"/> as if it started at <paramref name="start"/>.</summary>
    public static void Fill(Span<byte> span, int seed, long start = 0)
    {
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = ByteAt(seed, start + i);
        }
    }

    /// <summary>The first index where <paramref name="span"/> differs from the pattern, or -1.</summary>
    public static long FindMismatch(ReadOnlySpan<byte> span, int seed, long start = 0)
    {
        for (int i = 0; i < span.Length; i++)
        {
            if (span[i] != ByteAt(seed, start + i))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Writes a round token and fills the rest of <paramref name="memory"/> with a pattern derived from it.</summary>
    public static void WriteToken(Span<byte> memory, long token)
    {
        BinaryPrimitives.WriteInt64LittleEndian(memory, token);
        Fill(memory[8..], unchecked((int)token));
    }

    /// <summary>Reads the token <see cref="WriteToken"/> wrote; -1 if the rest does not match it.</summary>
    public static long ReadToken(ReadOnlySpan<byte> memory, out long mismatchAt)
    {
        long token = BinaryPrimitives.ReadInt64LittleEndian(memory);
        mismatchAt = FindMismatch(memory[8..], unchecked((int)token));
        return token;
    }

    /// <summary>Escapes a message onto one line for the tests to parse.</summary>
    public static string OneLine(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);

    /// <summary>Reverses <see cref="OneLine"/>.</summary>
    public static string FromOneLine(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
                sb.Append(text[i] switch { 'n' => '\n', 'r' => '\r', _ => text[i] });
            }
            else
            {
                sb.Append(text[i]);
            }
        }

        return sb.ToString();
    }
}
