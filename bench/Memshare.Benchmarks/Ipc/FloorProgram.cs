using System.Diagnostics;
using System.Globalization;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// The C floors, compiled at run time with the system <c>cc -O2</c> into a temporary directory (deleted on Dispose):
/// bench/floor/floor.c, the hardware floor of a cross-process round trip, spinning on one cache line (<c>floor</c>) or
/// sleeping in a futex (<c>floor-futex</c>); and bench/floor/floor-ring.c, the message floor, a bare SPSC ring
/// (<c>floor-ring</c>). Each prints one line of "key=value" pairs which this class parses. The ring's code is also
/// built as a shared library (<see cref="RingLibrary"/>, bench/floor/floor-ring-lib.c) for <see cref="CRingLoops"/>.
/// </summary>
internal sealed class FloorProgram : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;
    private readonly DirectoryInfo _dir;
    private readonly string _floor;
    private readonly string _ring;

    private FloorProgram(DirectoryInfo dir)
    {
        _dir = dir;
        _floor = Path.Combine(dir.FullName, "floor");
        _ring = Path.Combine(dir.FullName, "floor-ring");
        RingLibrary = Path.Combine(dir.FullName, "libfloor-ring.so");
    }

    /// <summary>The path of floor-ring's ring and loops built as a shared library.</summary>
    internal string RingLibrary { get; }

    internal static FloorProgram Build()
    {
        string cc = FindOnPath("cc") ?? throw new InvalidOperationException(
            "The 'floor', 'floor-futex' and 'floor-ring' transports need a C compiler, but 'cc' is not on PATH. " +
            "Install one (Debian/Ubuntu: apt-get install gcc; Fedora: dnf install gcc) and run again.");
        var program = new FloorProgram(Directory.CreateTempSubdirectory("memshare-floor-"));
        try
        {
            Compile(cc, "floor.c", program._floor);
            Compile(cc, "floor-ring.c", program._ring);
            Compile(cc, "floor-ring-lib.c", program.RingLibrary, "-shared", "-fPIC");
            return program;
        }
        catch
        {
            program.Dispose();
            throw;
        }
    }

    private static void Compile(string cc, string file, string exe, params string[] flags)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "floor", file);
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"The floor program's source is missing from the build output: {source}. Rebuild bench/Memshare.Benchmarks.", source);
        }

        string[] args = ["-O2", .. flags, "-o", exe, source];
        (int code, string output) = Execute(cc, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"'{cc} {string.Join(' ', args)}' failed with exit code {code}:{Environment.NewLine}{output}");
        }
    }

    /// <summary>
    /// Runs floor.c: <paramref name="mode"/> "spin" or "futex". Futex only: with <paramref name="idleMicroseconds"/>
    /// the pinging side sleeps between round trips; with <paramref name="spinNanoseconds"/> both sides spin that long
    /// before sleeping.
    /// </summary>
    internal FloorRun Run(string mode, int count, int warmup, int idleMicroseconds = 0, int spinNanoseconds = 0)
    {
        List<string> args = [mode, Text(count), Text(warmup)];
        if (idleMicroseconds > 0 || spinNanoseconds > 0)
        {
            args.Add(Text(idleMicroseconds));
            args.Add(Text(spinNanoseconds));
        }

        return RoundTrips(_floor, args);
    }

    /// <summary><c>floor-ring pingpong</c>: <paramref name="count"/> timed round trips of <paramref name="size"/> bytes over two rings.</summary>
    internal FloorRun RingRoundTrips(int size, int count, int warmup) => RoundTrips(_ring, ["pingpong", Text(size), Text(count), Text(warmup)]);

    /// <summary><c>floor-ring stream</c>: one-way messages per second, timed after <paramref name="warmup"/>.</summary>
    internal double RingStream(int size, TimeSpan warmup, TimeSpan duration) => RingStream(size, warmup, duration, out _);

    /// <summary>As <see cref="RingStream(int, TimeSpan, TimeSpan)"/>; also the share of reads that found the consumer caught up with the producer.</summary>
    internal double RingStream(int size, TimeSpan warmup, TimeSpan duration, out double caughtUp)
    {
        string[] args = ["stream", Text(size), Text((int)warmup.TotalMilliseconds), Text((int)duration.TotalMilliseconds)];
        Dictionary<string, string> fields = Fields(_ring, args);
        caughtUp = fields.TryGetValue("caught", out string? caught) ? double.Parse(caught, s_inv) : double.NaN;
        return fields.TryGetValue("msgs", out string? msgs) ? double.Parse(msgs, s_inv)
            : throw new InvalidDataException($"floor-ring {string.Join(' ', args)} printed no 'msgs='.");
    }

    private static FloorRun RoundTrips(string exe, IReadOnlyList<string> args)
    {
        Dictionary<string, string> f = Fields(exe, args);
        double Get(string key) => f.TryGetValue(key, out string? v) && double.TryParse(v, NumberStyles.Float, s_inv, out double d) ? d
            : throw new InvalidDataException($"{Path.GetFileName(exe)} {string.Join(' ', args)} printed no '{key}='.");
        string[] cpus = f.TryGetValue("cpu", out string? cpu) ? cpu.Split('/') : [];
        return new FloorRun(
            new RoundTripStats(Get("p50"), Get("p90"), Get("p99"), Get("p999")),
            cpus.Length == 2 && int.TryParse(cpus[0], s_inv, out int a) ? a : -1,
            cpus.Length == 2 && int.TryParse(cpus[1], s_inv, out int b) ? b : -1);
    }

    /// <summary>Runs <paramref name="exe"/> and splits its "key=value key=value" output; a non-zero exit code throws.</summary>
    private static Dictionary<string, string> Fields(string exe, IReadOnlyList<string> args)
    {
        (int code, string output) = Execute(exe, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(exe)} {string.Join(' ', args)} failed with exit code {code}: {output.Trim()}");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=');
            if (kv.Length == 2)
            {
                fields[kv[0]] = kv[1];
            }
        }

        return fields;
    }

    private static string Text(int value) => value.ToString(s_inv);

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

/// <summary>One floor run: its round trips, and the CPUs the two processes ended on (-1 if not known).</summary>
internal readonly record struct FloorRun(RoundTripStats Stats, int ParentCpu, int ChildCpu);
