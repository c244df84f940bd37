using System.Globalization;
using System.Text;
using Memshare.Benchmarks.Ipc;

namespace Memshare.Benchmarks.Reporting;

/// <summary>
/// Every figure of a run in one long table, <c>series,x,metric,median,min,max,n,per_rep</c>: the input of
/// bench/charts.py, which draws docs/perf/*.svg and renders the tables of docs/performance.md from it.
/// <c>x</c> is the message size in bytes, or the reader / producer count; <c>per_rep</c> lists every repetition's
/// figure (';'-separated, empty where it failed), so a later reader can redo the statistics.
/// </summary>
internal static class DetailCsv
{
    internal const string Header = "series,x,metric,median,min,max,n,per_rep";

    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>Writes <paramref name="path"/>, and records the run in machine.csv beside it.</summary>
    internal static void Write(string path, IpcResults results, string run, bool quick)
    {
        var csv = new StringBuilder(Header).Append('\n');
        foreach ((string series, int x, string metric) in results.Keys.Order())
        {
            Series s = results.Get(series, x, metric);
            csv.Append(series).Append(',').Append(x.ToString(s_inv)).Append(',').Append(metric).Append(',')
                .Append(Number(s.Median)).Append(',').Append(Number(s.Min)).Append(',').Append(Number(s.Max)).Append(',')
                .Append(s.Count.ToString(s_inv)).Append(',')
                .Append(string.Join(';', s.PerRep.Select(Number))).Append('\n');
        }

        File.WriteAllText(path, csv.ToString());
        MachineInfo.Record(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "machine.csv"), run, quick, results.Reps, results.Disturbed.Count, results.Retries);
    }

    /// <summary>Round-trip times and rates are whole numbers in their unit; shares and GB/s keep their decimals.</summary>
    private static string Number(double v) =>
        double.IsNaN(v) ? "" : Math.Abs(v) >= 100 ? v.ToString("F0", s_inv) : v.ToString("G6", s_inv);
}
