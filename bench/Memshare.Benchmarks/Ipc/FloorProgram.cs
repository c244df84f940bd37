using System.Diagnostics;
using System.Globalization;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// bench/floor/floor.c, compiled at run time with the system <c>cc -O2</c> into a temporary directory (deleted on
/// Dispose): the hardware floor of a cross-process round trip, spinning (<c>floor</c>) or sleeping in a futex
/// (<c>floor-futex</c>). It prints "p50=NS p90=NS p99=NS p999=NS ..." which <see cref="Run"/> parses.
/// </summary>
internal sealed class FloorProgram : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);
    private readonly DirectoryInfo _dir;
    private readonly string _exe;

    private FloorProgram(DirectoryInfo dir, string exe)
    {
        _dir = dir;
        _exe = exe;
    }

    internal static FloorProgram Build()
    {
        string source = Path.Combine(AppContext.BaseDirectory, "floor", "floor.c");
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"The floor program's source is missing from the build output: {source}. Rebuild bench/Memshare.Benchmarks.", source);
        }

        string cc = FindOnPath("cc") ?? throw new InvalidOperationException(
            "The 'floor' and 'floor-futex' transports need a C compiler, but 'cc' is not on PATH. " +
            "Install one (Debian/Ubuntu: apt-get install gcc; Fedora: dnf install gcc) and run again.");
        DirectoryInfo dir = Directory.CreateTempSubdirectory("memshare-floor-");
        try
        {
            string exe = Path.Combine(dir.FullName, "floor");
            (int code, string output) = Execute(cc, ["-O2", "-o", exe, source]);
            if (code != 0)
            {
                throw new InvalidOperationException($"'{cc} -O2 -o {exe} {source}' failed with exit code {code}:{Environment.NewLine}{output}");
            }

            return new FloorProgram(dir, exe);
        }
        catch
        {
            dir.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Runs the floor: <paramref name="mode"/> "spin" or "futex". Futex only: with <paramref name="idleMicroseconds"/>
    /// the pinging side sleeps between round trips; with <paramref name="spinNanoseconds"/> both sides spin that long
    /// before sleeping.
    /// </summary>
    internal RoundTripStats Run(string mode, int count, int warmup, int idleMicroseconds = 0, int spinNanoseconds = 0)
    {
        List<string> args = [mode, count.ToString(CultureInfo.InvariantCulture), warmup.ToString(CultureInfo.InvariantCulture)];
        if (idleMicroseconds > 0 || spinNanoseconds > 0)
        {
            args.Add(idleMicroseconds.ToString(CultureInfo.InvariantCulture));
            args.Add(spinNanoseconds.ToString(CultureInfo.InvariantCulture));
        }

        (int code, string output) = Execute(_exe, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"floor {string.Join(' ', args)} failed with exit code {code}: {output.Trim()}");
        }

        var fields = new Dictionary<string, double>();
        foreach (string pair in output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=');
            if (kv.Length == 2 && double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                fields[kv[0]] = v;
            }
        }

        return fields.TryGetValue("p50", out double p50) && fields.TryGetValue("p90", out double p90)
            && fields.TryGetValue("p99", out double p99) && fields.TryGetValue("p999", out double p999)
            ? new RoundTripStats(p50, p90, p99, p999)
            : throw new InvalidDataException($"Could not parse the floor program's output: '{output.Trim()}'.");
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private static (int Code, string Output) Execute(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        try
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(s_timeout))
            {
                throw new TimeoutException($"{file} did not finish within {s_timeout.TotalSeconds:F0} s.");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
