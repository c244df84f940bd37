using System.Globalization;

namespace Memshare.Cli;

/// <summary>
/// How <c>dump</c> reads an offset or length: decimal (<c>4096</c>), hex with <c>0x</c> (<c>0x1000</c>), or a
/// decimal number with a binary unit: <c>k</c>/<c>KiB</c> (1024), <c>M</c>/<c>MiB</c>, <c>G</c>/<c>GiB</c>.
/// No sign, no spaces inside, no fractions.
/// </summary>
internal static class ByteCount
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        string s = text.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return s.Length > 2 && long.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes) && bytes >= 0;
        }

        (string number, int shift) = Unit(s);
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > long.MaxValue >> shift)
        {
            return false;
        }

        bytes = value << shift;
        return true;
    }

    private static (string Number, int Shift) Unit(string s)
    {
        foreach ((string suffix, int shift) in s_units)
        {
            if (s.Length > suffix.Length && s.EndsWith(suffix, StringComparison.Ordinal))
            {
                return (s[..^suffix.Length], shift);
            }
        }

        return (s, 0);
    }

    // Longest suffixes first, so "KiB" is not read as a number ending in "B".
    private static readonly (string Suffix, int Shift)[] s_units =
    [
        ("KiB", 10), ("MiB", 20), ("GiB", 30), ("k", 10), ("K", 10), ("M", 20), ("G", 30),
    ];
}
