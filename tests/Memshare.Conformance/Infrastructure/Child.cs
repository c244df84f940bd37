using System.Collections.Concurrent;
using System.Diagnostics;

namespace Memshare.Conformance.Infrastructure;

/// <summary>
/// A separate OS process started by a test: this executable in its child role, running one scenario of the
/// child helper (<c>tests/Memshare.Tests.Child</c>). Lines on stdout are queued for <see cref="ReadLine"/>;
/// Dispose kills it if still running. Portable: <c>dotnet Memshare.Conformance.dll child …</c> where the tests run
/// on the .NET host, the self-contained <c>Memshare.Conformance.exe child …</c> on Windows.
/// </summary>
public sealed class Child : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    /// <summary>The directory holding the test executable.</summary>
    public static string BinDirectory => AppContext.BaseDirectory;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stderr => string.Join('\n', _stderr);

    /// <summary>Starts this executable in its child role with a scenario and its arguments.</summary>
    public static Child Helper(params string[] args) => new([.. SelfCommand(), "child", .. args]);

    /// <summary>Starts the memshare CLI (built or published beside the tests) with <paramref name="args"/>.</summary>
    public static Child Cli(params string[] args) => new([.. CliCommand(), .. args]);

    /// <summary>Runs the CLI to completion, with <paramref name="input"/> as its standard input: exit code, stdout lines, stderr.</summary>
    public static (int Exit, List<string> Lines, string Stderr) RunCli(string? input, params string[] args)
    {
        using Child cli = Cli(args);
        if (input is not null)
        {
            cli._process.StandardInput.Write(input);
        }

        cli.CloseInput();
        List<string> lines = cli.RemainingLines();
        return (cli._process.ExitCode, lines, cli.Stderr);
    }

    /// <summary>The command line that starts the CLI: its self-contained .exe on Windows, else the .NET host and its dll.</summary>
    public static string[] CliCommand() =>
        OperatingSystem.IsWindows() && File.Exists(Path.Combine(BinDirectory, "Memshare.Cli.exe"))
            ? [Path.Combine(BinDirectory, "Memshare.Cli.exe")]
            : ["dotnet", Path.Combine(BinDirectory, "Memshare.Cli.dll")];

    /// <summary>How to start this executable: its self-contained .exe on Windows, else the .NET host and the dll.</summary>
    private static string[] SelfCommand() =>
        OperatingSystem.IsWindows() && File.Exists(Path.Combine(BinDirectory, "Memshare.Conformance.exe"))
            ? [Path.Combine(BinDirectory, "Memshare.Conformance.exe")]
            : ["dotnet", Path.Combine(BinDirectory, "Memshare.Conformance.dll")];

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
            Kill();
            throw new TimeoutException($"child {Pid} did not exit within {wait.TotalSeconds} s; stderr: {Stderr}");
        }

        _process.WaitForExit(); // drain redirected output
        _stdoutClosed.Task.Wait(TimeSpan.FromSeconds(5));
        return _process.ExitCode;
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
}
