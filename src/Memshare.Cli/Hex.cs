namespace Memshare.Cli;

/// <summary>Bytes as hex text, both ways: what <c>read --hex</c> prints, <c>write --hex</c> accepts.</summary>
internal static class Hex
{
    /// <summary>Parses pairs of hex digits; whitespace is ignored. Throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public static byte[] Parse(string text)
    {
        var digits = new List<int>(text.Length);
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            int value = DigitValue(c);
            if (value < 0)
            {
                throw new ArgumentException(Messages.Format(Messages.BadHex, text, Messages.Format(Messages.HexBadDigit, c)));
            }

            digits.Add(value);
        }

        if (digits.Count % 2 != 0)
        {
            throw new ArgumentException(Messages.Format(Messages.BadHex, text, Messages.HexOddDigits));
        }

        byte[] bytes = new byte[digits.Count / 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((digits[2 * i] << 4) | digits[(2 * i) + 1]);
        }

        return bytes;
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
