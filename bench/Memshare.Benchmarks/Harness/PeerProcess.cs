using System.Diagnostics;

namespace Memshare.Benchmarks.Harness;

/// <summary>
/// A child process running one of this executable's hidden peer subcommands (<c>ipc-peer</c>, <c>scale-peer</c>),
/// driven by one command per line on its stdin; it answers "ready", then "done" after each command (or
/// "error: ..." and exits). <see cref="PeerCommands"/> is the other side.
/// A watchdog kills it if a phase overruns, which also unblocks a harness stuck reading from it.
/// Dispose kills it if it is still running.
/// </summary>
internal sealed class PeerProcess : IDisposable
{
    private static readonly TimeSpan s_replyTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly Timer _watchdog;
    private bool _disposed;

    private PeerProcess(Process process)
    {
        _process = process;
        _process.StandardInput.AutoFlush = true;
        _watchdog = new Timer(static s => Kill((Process)s!), process, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Starts this executable with <paramref name="subcommand"/> (a hidden peer role) and <paramref name="args"/>.</summary>
    internal static PeerProcess Start(IEnumerable<string> args, string subcommand = "ipc-peer")
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(PeerProcess).Assembly.Location);
        }

        start.ArgumentList.Add(subcommand);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        return new PeerProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the peer process."));
    }

    /// <summary>Gives the next phase <paramref name="limit"/> to finish before the peer is killed.</summary>
    internal void Arm(TimeSpan limit) => _watchdog.Change(limit, Timeout.InfiniteTimeSpan);

    internal void Command(string line) => _process.StandardInput.WriteLine(line);

    /// <summary>Reads the peer's next line and checks that it is <paramref name="expected"/>.</summary>
    internal void Expect(string expected) => _ = ExpectLine(expected, exact: true);

    /// <summary>Reads the peer's next line, which must start with <paramref name="prefix"/> and a space; returns the rest.</summary>
    internal string ExpectValue(string prefix) => ExpectLine(prefix + " ", exact: false)[(prefix.Length + 1)..];

    private string ExpectLine(string expected, bool exact)
    {
        Task<string?> read = _process.StandardOutput.ReadLineAsync();
        if (!read.Wait(s_replyTimeout))
        {
            throw new TimeoutException($"The peer did not say '{expected}' within {s_replyTimeout.TotalSeconds:F0} s.");
        }

        string? line = read.Result;
        if (line is null || (exact ? line != expected : !line.StartsWith(expected, StringComparison.Ordinal)))
        {
            string why = line ?? (_process.WaitForExit(2000) ? $"it exited with code {_process.ExitCode}" : "its output ended");
            throw new InvalidOperationException($"The peer was expected to say '{expected}' but said: {why}");
        }

        return line;
    }

    /// <summary>Asks the peer to exit and waits briefly; Dispose kills it if it does not.</summary>
    internal void Quit()
    {
        Command("quit");
        _ = _process.WaitForExit(5000);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _watchdog.Dispose();
        Kill(_process);
        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                _ = process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }
}
