using System.Globalization;
using System.Text;
using Memshare.Benchmarks.Ipc;

namespace Memshare.Benchmarks.Harness;

/// <summary>How the harness reports write figures: medians with their [min-max] spread, rates, sizes, aligned tables.</summary>
internal static class Figures
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>"median [min-max]", or <paramref name="none"/> where no repetition produced the figure.</summary>
    internal static string Spread(Series s, Func<double, string> format, string none = "") =>
        s.HasValue ? $"{format(s.Median)} [{format(s.Min)}-{format(s.Max)}]" : none;

    internal static string Median(Series s, Func<double, string> format) => s.HasValue ? format(s.Median) : "";

    internal static string SizeName(int size) => size >= 1024 ? $"{size / 1024} KiB" : $"{size} B";

    internal static string N0(double v) => double.IsNaN(v) ? "-" : v.ToString("N0", s_inv);

    internal static string F2(double v) => double.IsNaN(v) ? "-" : v.ToString("F2", s_inv);

    /// <summary>A ratio, with fewer decimals the larger it is: "0.85x", "1.42x", "27.3x", "140x".</summary>
    internal static string X(double v) => double.IsNaN(v) ? "-" : v.ToString(v >= 100 ? "F0" : v >= 10 ? "F1" : v >= 1 ? "F2" : "G2", s_inv) + "x";

    internal static string Percent(double v) => double.IsNaN(v) ? "-" : (v * 100).ToString("F0", s_inv) + "%";

    /// <summary>Messages per second: "21.37M" or "48.2k".</summary>
    internal static string Rate(double v) => double.IsNaN(v) ? "-"
        : v >= 1e6 ? (v / 1e6).ToString("F2", s_inv) + "M"
        : (v / 1e3).ToString("F1", s_inv) + "k";

    /// <summary>Writes <paramref name="rows"/> (the first is the header) in columns: the first left-aligned, the others right-aligned.</summary>
    internal static void Table(TextWriter o, List<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (string[] row in rows)
        {
            for (int c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        foreach (string[] row in rows)
        {
            var line = new StringBuilder();
            for (int c = 0; c < row.Length; c++)
            {
                _ = c == 0 ? line.Append(row[c].PadRight(widths[c])) : line.Append("  ").Append(row[c].PadLeft(widths[c]));
            }

            o.WriteLine(line.ToString().TrimEnd());
        }
    }
}
