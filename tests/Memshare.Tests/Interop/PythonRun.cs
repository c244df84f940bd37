using System.Diagnostics;
using System.Text;

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
internal sealed class PythonProcess : IDisposable
{
    private static readonly Lazy<string> s_python = new(FindPython);
    private static readonly Lazy<string> s_repo = new(FindRepo);

    private readonly Process _process;
    private readonly MemoryStream _stdout = new(); // guarded by itself
    private readonly Task _stdoutDone;
    private readonly Task<string> _stderr;
    private Task _feed = Task.CompletedTask;
    private int _consumed;

    private PythonProcess(string[] args)
    {
        Arguments = args;
        var info = new ProcessStartInfo(s_python.Value)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1"; // no __pycache__ in the source tree
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        _process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
        _stdoutDone = PumpAsync(_process.StandardOutput.BaseStream);
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public string[] Arguments { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

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

    /// <summary>The next stdout line; fails if none comes within <paramref name="timeout"/> (default 30 s).</summary>
    public string ReadLine(TimeSpan? timeout = null)
    {
        TimeSpan wait = timeout ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        lock (_stdout)
        {
            while (true)
            {
                byte[] all = _stdout.GetBuffer();
                int end = Array.IndexOf(all, (byte)'\n', _consumed, (int)_stdout.Length - _consumed);
                if (end >= 0)
                {
                    string line = Encoding.UTF8.GetString(all, _consumed, end - _consumed);
                    _consumed = end + 1;
                    return line;
                }

                TimeSpan left = wait - clock.Elapsed;
                if (left <= TimeSpan.Zero || (_stdoutDone.IsCompleted && end < 0))
                {
                    throw new TimeoutException($"python3 {string.Join(' ', Arguments)} (pid {Pid}) wrote no line within {wait.TotalSeconds} s "
                        + $"(exited: {_process.HasExited}); stderr: {(_stderr.IsCompleted ? _stderr.Result : "")}");
                }

                Monitor.Wait(_stdout, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            }
        }
    }

    /// <summary>Reads a line and fails unless it starts with <paramref name="word"/>; returns its space-separated fields.</summary>
    public string[] Expect(string word, TimeSpan? timeout = null)
    {
        string line = ReadLine(timeout);
        Assert.True(line.StartsWith(word, StringComparison.Ordinal), $"expected '{word} ...' from python3 {string.Join(' ', Arguments)}, got '{line}'");
        return line.Split(' ');
    }

    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Writes <paramref name="input"/> to stdin and closes it, in the background (a blocked sender stops reading).</summary>
    public void Feed(byte[] input)
    {
        Stream stdin = _process.StandardInput.BaseStream;
        _feed = Task.Run(() =>
        {
            try
            {
                stdin.Write(input);
                stdin.Flush();
            }
            catch (IOException)
            {
                // Exited early: its exit code tells the test.
            }
            finally
            {
                CloseInput();
            }
        });
    }

    public void CloseInput()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }
    }

    /// <summary>
    /// Waits for exit (default 60 s) and for both output pipes to close — which includes Python's resource tracker,
    /// a child that inherits them, so whatever it unlinks at exit is gone by then. Kills and fails on timeout.
    /// </summary>
    public PythonResult Finish(TimeSpan? timeout = null)
    {
        TimeSpan wait = timeout ?? TimeSpan.FromSeconds(60);
        if (!_process.WaitForExit(wait))
        {
            Kill();
            throw new TimeoutException($"python3 {string.Join(' ', Arguments)} did not exit within {wait.TotalSeconds} s");
        }

        Assert.True(Task.WaitAll([_stdoutDone, _stderr, _feed], TimeSpan.FromSeconds(30)), "python3's output pipes stayed open after it exited");
        lock (_stdout)
        {
            return new PythonResult(Arguments, _process.ExitCode, _stdout.ToArray(), _stderr.Result);
        }
    }

    /// <summary>SIGKILL: no chance to clean up.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private async Task PumpAsync(Stream stdout)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await stdout.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (_stdout)
                {
                    _stdout.Write(buffer, 0, n);
                    Monitor.PulseAll(_stdout);
                }
            }
        }
        finally
        {
            lock (_stdout)
            {
                Monitor.PulseAll(_stdout);
            }
        }
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
