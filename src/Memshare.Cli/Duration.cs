using System.Globalization;

namespace Memshare.Cli;

/// <summary>
/// How the CLI reads a duration such as <c>--timeout</c>: <c>500ms</c>, <c>5s</c>, <c>2m</c>, or a bare number
/// of seconds; every form takes decimals (<c>0.5</c>, <c>1.5m</c>). No sign, exponent or spaces inside.
/// </summary>
internal static class Duration
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        string number = text.Trim();
        double unitSeconds = 1;
        if (number.EndsWith("ms", StringComparison.Ordinal))
        {
            (number, unitSeconds) = (number[..^2], 0.001);
        }
        else if (number.EndsWith('s'))
        {
            number = number[..^1];
        }
        else if (number.EndsWith('m'))
        {
            (number, unitSeconds) = (number[..^1], 60);
        }

        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
        {
            return false;
        }

        double seconds = value * unitSeconds;
        if (!double.IsFinite(seconds) || seconds >= TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>How a duration reads in a message: <c>200 ms</c>, <c>1.5 s</c>.</summary>
    public static string Format(TimeSpan duration) => duration < TimeSpan.FromSeconds(1)
        ? $"{duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms"
        : $"{duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
}
