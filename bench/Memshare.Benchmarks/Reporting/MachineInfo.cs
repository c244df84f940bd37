using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Memshare.Benchmarks.Reporting;

/// <summary>
/// docs/perf/machine.csv (<c>key,value</c>): what the figures were taken on, and when each run (ipc, scale) was
/// taken and how. Each run updates its own keys and keeps the others', so the page can say that the ipc and the
/// scale figures come from the same machine.
/// </summary>
internal static class MachineInfo
{
    internal static void Record(string path, string run, bool quick, int reps, int disturbed, int retries)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (string line in File.ReadLines(path).Skip(1))
            {
                int comma = line.IndexOf(',', StringComparison.Ordinal);
                if (comma > 0)
                {
                    values[line[..comma]] = line[(comma + 1)..];
                }
            }
        }

        values["cpu"] = CpuModel();
        values["cores"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        values["os"] = RuntimeInformation.OSDescription;
        values["kernel"] = ReadFirstLine("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.VersionString;
        values["dotnet"] = RuntimeInformation.FrameworkDescription;
        // Transparent huge pages: the mode in brackets, for private memory and for shared memory (where the rings live).
        values["thp"] = ReadFirstLine("/sys/kernel/mm/transparent_hugepage/enabled") ?? "unknown";
        values["thp.shmem"] = ReadFirstLine("/sys/kernel/mm/transparent_hugepage/shmem_enabled") ?? "unknown";
        values[run + ".date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        values[run + ".mode"] = quick ? "quick" : "full";
        values[run + ".reps"] = reps.ToString(CultureInfo.InvariantCulture);
        values[run + ".disturbed"] = disturbed.ToString(CultureInfo.InvariantCulture); // sessions kept although others were busy
        values[run + ".retries"] = retries.ToString(CultureInfo.InvariantCulture);

        var csv = new StringBuilder("key,value\n");
        foreach ((string key, string value) in values)
        {
            csv.Append(key).Append(',').Append(value.Replace(',', ';')).Append('\n');
        }

        File.WriteAllText(path, csv.ToString());
    }

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
