using System.Globalization;
using Memshare.Inspection;

namespace Memshare.Cli.Output;

/// <summary>
/// The table that <c>memshare ls</c> prints: one row per region, columns aligned. The last column, STATE, tells
/// who holds a lock (<c>free</c>, <c>held by pid N</c>, <c>held by pid N (dead)</c>), whether an event is set, and a
/// channel's messages and fill (<c>10 sent, 0.5% full, completed</c>, or <c>damaged</c>).
/// </summary>
internal static class RegionTable
{
    private static readonly string[] s_headings = ["NAME", "SIZE", "KIND", "OWNER", "MODE", "LIFETIME", "HOLDERS", "STATE"];

    /// <summary>Columns whose values are right-aligned (numbers).</summary>
    private static readonly bool[] s_rightAligned = [false, true, false, false, false, false, true, false];

    public static void Write(IReadOnlyList<SharedMemoryInfo> regions, TextWriter output)
    {
        var rows = new List<string[]>(regions.Count + 1) { s_headings };
        foreach (SharedMemoryInfo r in regions)
        {
            rows.Add([
                r.Name,
                r.Size.ToString(CultureInfo.InvariantCulture),
                RegionText.Kind(r.Format),
                r.Owner,
                RegionText.Mode(r.Permissions),
                RegionText.Lifetime(r),
                RegionText.Holders(r),
                RegionText.State(r),
            ]);
        }

        int[] widths = new int[s_headings.Length];
        foreach (string[] row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (string[] row in rows)
        {
            var cells = new string[row.Length];
            for (int i = 0; i < row.Length; i++)
            {
                bool last = i == row.Length - 1;
                cells[i] = s_rightAligned[i] ? row[i].PadLeft(widths[i]) : last ? row[i] : row[i].PadRight(widths[i]);
            }

            output.WriteLine(string.Join("  ", cells));
        }
    }
}
