using System.Collections.Concurrent;
using System.Diagnostics;

namespace Memshare.Tests.Infrastructure;

/// <summary>
/// A separate OS process started by a test: the child helper (<c>Memshare.Tests.Child</c>), the
/// <c>memshare</c> CLI, or any other program (C, Boost and Python peers). Lines on stdout are queued for <see cref="ReadLine"/>; Dispose kills it if still running.
/// </summary>
public sealed class Child : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Child(string[] command, IEnumerable<string> args, string? userPrefix)
        : this(userPrefix is null ? [.. command, .. args]
            // Run as another user, e.g. setpriv --reuid=65534 --regid=65534 --clear-groups dotnet ...
            : [.. userPrefix.Split(' ', StringSplitOptions.RemoveEmptyEntries), .. command, .. args])
    {
    }

    /// <summary>Starts <paramref name="commandLine"/>[0] with the rest as its arguments.</summary>
    private Child(string[] commandLine)
    {
        var info = new ProcessStartInfo(commandLine[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new System.Text.UTF8Encoding(false),
            StandardErrorEncoding = new System.Text.UTF8Encoding(false),
        };
        foreach (string a in commandLine.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.CompleteAdding(); // before the signal: whoever waits for it may dispose the collection
                _stdoutClosed.TrySetResult();
            }
            else
            {
                _lines.Add(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The directory holding the test assembly, the child helper and the CLI.</summary>
    public static string BinDirectory => AppContext.BaseDirectory;

    /// <summary>
    /// How the tests start the memshare CLI: <c>dotnet Memshare.Cli.dll</c>, or the program that the environment
    /// variable MEMSHARE_CLI names (.ci/run sets it to the NativeAOT build and runs the CLI tests again).
    /// </summary>
    public static string[] CliCommand { get; } = Environment.GetEnvironmentVariable("MEMSHARE_CLI") is { Length: > 0 } cli
        ? File.Exists(cli) ? [Path.GetFullPath(cli)] : throw new FileNotFoundException($"MEMSHARE_CLI names '{Path.GetFullPath(cli)}', which does not exist; give an absolute path.", cli)
        : ["dotnet", Path.Combine(BinDirectory, "Memshare.Cli.dll")];

    private static string[] HelperCommand => ["dotnet", Path.Combine(BinDirectory, "Memshare.Tests.Child.dll")];

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stderr => string.Join('\n', _stderr);

    /// <summary>Starts the child helper with a scenario and its arguments.</summary>
    public static Child Helper(params string[] args) => new(HelperCommand, args, null);

    /// <summary>Starts the memshare CLI.</summary>
    public static Child Cli(params string[] args) => new(CliCommand, args, null);

    /// <summary>Starts the child helper as another user through <paramref name="prefix"/> (e.g. a setpriv command line).</summary>
    public static Child HelperAs(string prefix, params string[] args) => new(HelperCommand, args, prefix);

    /// <summary>Starts the CLI as another user through <paramref name="prefix"/>.</summary>
    public static Child CliAs(string prefix, params string[] args) => new(CliCommand, args, prefix);

    /// <summary>Starts any program (a native peer, python3, ...) with line-based stdin and stdout.</summary>
    public static Child Program(string program, params string[] args) => new([program, .. args]);

    /// <summary>Runs a program to completion with no input: its exit code, stdout lines and stderr.</summary>
    public static (int Exit, List<string> Lines, string Stderr) Run(string program, params string[] args)
    {
        using Child child = Program(program, args);
        child.CloseInput();
        List<string> lines = child.RemainingLines();
        return (child._process.ExitCode, lines, child.Stderr);
    }

    /// <summary>The next stdout line; fails the test if none comes within <paramref name="timeout"/> (default 30 s).</summary>
    public string ReadLine(TimeSpan? timeout = null)
    {
        TimeSpan wait = timeout ?? TimeSpan.FromSeconds(30);
        if (_lines.TryTake(out string? line, wait))
        {
            return line;
        }

        throw new TimeoutException($"child {Pid} wrote no line within {wait.TotalSeconds} s (exited: {_process.HasExited}); stderr: {Stderr}");
    }

    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits for exit (default 60 s) and returns the exit code; kills and fails on timeout.</summary>
    public int WaitForExit(TimeSpan? timeout = null)
    {
        TimeSpan wait = timeout ?? TimeSpan.FromSeconds(60);
        if (!_process.WaitForExit(wait))
        {
            string threads = ThreadStates();
            Kill();
            throw new TimeoutException($"child {Pid} did not exit within {wait.TotalSeconds} s; stderr: {Stderr}; its threads: {threads}");
        }

        _process.WaitForExit(); // drain redirected output
        _stdoutClosed.Task.Wait(TimeSpan.FromSeconds(5));
        return _process.ExitCode;
    }

    /// <summary>
    /// Where each of the child's threads waits in the kernel (Linux: name, then wchan), so a child that hangs says
    /// whether it waits on a futex, a socket or a pipe; an empty string elsewhere or once it is gone.
    /// </summary>
    private string ThreadStates()
    {
        try
        {
            var tasks = new DirectoryInfo($"/proc/{Pid}/task");
            return !tasks.Exists ? "" : string.Join(", ", tasks.EnumerateDirectories().Select(t =>
                $"{File.ReadAllText(Path.Combine(t.FullName, "comm")).Trim()}@{File.ReadAllText(Path.Combine(t.FullName, "wchan")).Trim()}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ""; // exited meanwhile, or another user's
        }
    }

    /// <summary>All remaining stdout lines, after the process has exited.</summary>
    public List<string> RemainingLines()
    {
        WaitForExit();
        return [.. _lines];
    }

    /// <summary>SIGKILL: the process gets no chance to clean up.</summary>
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

    /// <summary>Sends a POSIX signal (e.g. SIGINT = 2, SIGTERM = 15).</summary>
    public void Signal(int signal) => _ = kill(_process.Id, signal);

    public void Dispose()
    {
        Kill();

        // The output reader's thread may still be delivering the last lines of a child that already exited (Kill
        // then waits for nothing): dispose the collection only once stdout has ended, or its handler throws on a
        // thread of its own and takes the test run down. A stdout that outlives the wait (a grandchild holding it)
        // keeps its collection.
        bool ended = _stdoutClosed.Task.Wait(TimeSpan.FromSeconds(5));
        _process.Dispose();
        if (ended)
        {
            _lines.Dispose();
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
