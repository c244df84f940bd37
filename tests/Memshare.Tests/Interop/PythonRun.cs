using System.Text;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>What one finished Python process printed, and how it exited.</summary>
internal sealed record PythonResult(string[] Arguments, int ExitCode, byte[] Stdout, string Stderr)
{
    public string Text => Encoding.UTF8.GetString(Stdout);

    public string[] Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Fails with everything the run printed unless it exited with <paramref name="expected"/>.</summary>
    public PythonResult AssertExit(int expected)
    {
        Assert.True(ExitCode == expected,
            $"python3 {string.Join(' ', Arguments)}: expected exit code {expected}, got {ExitCode}.\nstdout:\n{Text}\nstderr:\n{Stderr}");
        return this;
    }

    /// <summary>Checks the CLI's error form: exit code, and every stderr line "memshare.py: ...", mentioning <paramref name="mentions"/>.</summary>
    public PythonResult AssertError(int expected, string mentions)
    {
        AssertExit(expected);
        string[] lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.StartsWith("memshare.py: ", line, StringComparison.Ordinal));
        Assert.Contains(mentions, Stderr, StringComparison.Ordinal);
        return this;
    }
}

/// <summary>
/// A python3 process started by a test, with raw-byte stdin and stdout (for <c>memshare.py send/recv</c>) and line
/// reads (for the peer scripts). Dispose kills it if still running.
/// </summary>
internal sealed class PythonProcess : PipedProcess
{
    private static readonly Lazy<string> s_python = new(FindPython);
    private static readonly Lazy<string> s_repo = new(FindRepo);

    private PythonProcess(string[] args)
        : base("python3", [s_python.Value, .. args], args,
            [new("PYTHONDONTWRITEBYTECODE", "1"), new("PYTHONIOENCODING", "utf-8")]) // no __pycache__ in the source tree
    {
    }

    /// <summary>interop/python/memshare.py in this repository.</summary>
    public static string ModulePath => Path.Combine(s_repo.Value, "interop", "python", "memshare.py");

    /// <summary>A script under interop/python/tests.</summary>
    public static string ScriptPath(string script) => Path.Combine(s_repo.Value, "interop", "python", "tests", script);

    /// <summary>Starts <c>python3 memshare.py ARGS</c> (the command line).</summary>
    public static PythonProcess Cli(params string[] args) => new([ModulePath, .. args]);

    /// <summary>Starts <c>python3 tests/peer.py SCENARIO ARGS</c> (the module used as a library).</summary>
    public static PythonProcess Peer(params string[] args) => new([ScriptPath("peer.py"), .. args]);

    /// <summary>Starts <c>python3 tests/plain.py ARGS</c> (Python's own shared_memory, without our module).</summary>
    public static PythonProcess Plain(params string[] args) => new([ScriptPath("plain.py"), .. args]);

    /// <summary>Runs <c>memshare.py ARGS</c> to completion with <paramref name="input"/> (default none) as stdin.</summary>
    public static PythonResult RunCli(byte[]? input, params string[] args)
    {
        using PythonProcess p = Cli(args);
        p.Feed(input ?? []);
        return p.Finish();
    }

    /// <summary>Reads a line and fails unless it starts with <paramref name="word"/>; returns its space-separated fields.</summary>
    public string[] Expect(string word, TimeSpan? timeout = null)
    {
        string line = ReadLine(timeout);
        Assert.True(line.StartsWith(word, StringComparison.Ordinal), $"expected '{word} ...' from python3 {string.Join(' ', Arguments)}, got '{line}'");
        return line.Split(' ');
    }

    /// <summary>
    /// Waits for exit (default 60 s) and for both output pipes to close — which includes Python's resource tracker,
    /// a child that inherits them, so whatever it unlinks at exit is gone by then. Kills and fails on timeout.
    /// </summary>
    public PythonResult Finish(TimeSpan? timeout = null)
    {
        (int exitCode, byte[] stdout, string stderr) = WaitForOutput(timeout ?? TimeSpan.FromSeconds(60));
        return new PythonResult(Arguments, exitCode, stdout, stderr);
    }

    private static string FindPython()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "python3");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "python3 is not on PATH; the Python interop tests run interop/python/memshare.py with it. Install Python 3.8 or later (CI: apt-get install python3).");
    }

    private static string FindRepo()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Memshare.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Memshare.slnx above {AppContext.BaseDirectory}; the Python interop tests need the repository's interop/python.");
    }
}
