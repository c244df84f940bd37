using System.Diagnostics;
using System.Text;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>
/// The memshare CLI as a separate process whose stdin and stdout are raw bytes, for <c>send</c> and <c>recv</c>:
/// <see cref="Child"/> reads stdout as lines, which cannot tell <c>"a\n"</c> from <c>"a"</c> and drops '\r'.
/// Dispose kills it if still running.
/// </summary>
internal sealed class CliPipe : IDisposable
{
    private readonly Process _process;
    private readonly Task<byte[]> _stdout;
    private readonly Task<string> _stderr;
    private Task _feed = Task.CompletedTask;

    private CliPipe(string[] args)
    {
        Arguments = args;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(Child.BinDirectory, "Memshare.Cli.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        _stdout = ReadAllAsync(_process.StandardOutput.BaseStream);
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public string[] Arguments { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>memshare ARGS</c>; its stdin stays open until <see cref="Feed"/> or <see cref="CloseInput"/>.</summary>
    public static CliPipe Start(params string[] args) => new(args);

    /// <summary>Runs <c>memshare ARGS</c> with <paramref name="input"/> as its whole stdin, to completion.</summary>
    public static (CliResult Result, byte[] Stdout) Run(byte[] input, params string[] args)
    {
        using CliPipe pipe = Start(args);
        pipe.Feed(input);
        return pipe.Finish();
    }

    /// <summary>
    /// Writes <paramref name="input"/> to stdin, then closes it, in the background: a <c>send</c> blocked on a
    /// full channel stops reading, and the pipe to it fills.
    /// </summary>
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
                // The process exited early (e.g. on a line that is too long): its exit code tells the test.
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

    /// <summary>Waits for exit (default 120 s; kills and fails after), and returns what it printed.</summary>
    public (CliResult Result, byte[] Stdout) Finish(TimeSpan? timeout = null)
    {
        TimeSpan wait = timeout ?? TimeSpan.FromSeconds(120);
        if (!_process.WaitForExit(wait))
        {
            Kill();
            throw new TimeoutException($"memshare {string.Join(' ', Arguments)} (pid {Pid}) did not exit within {wait.TotalSeconds} s; stderr: {Stderr(TimeSpan.FromSeconds(5))}");
        }

        _process.WaitForExit();
        Assert.True(_stdout.Wait(TimeSpan.FromSeconds(30)), "stdout did not close");
        _ = _feed.Wait(TimeSpan.FromSeconds(30));
        byte[] stdout = _stdout.Result;
        List<string> lines = [.. Encoding.UTF8.GetString(stdout).Split('\n')];
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return (new CliResult(Arguments, _process.ExitCode, lines, Stderr(TimeSpan.FromSeconds(30)).TrimEnd('\n')), stdout);
    }

    /// <summary>Sends a POSIX signal (e.g. SIGTERM = 15).</summary>
    public void Signal(int signal) => _ = kill(_process.Id, signal);

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Kill()
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

    private string Stderr(TimeSpan wait) => _stderr.Wait(wait) ? _stderr.Result : "(stderr still open)";

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var bytes = new MemoryStream();
        await stream.CopyToAsync(bytes).ConfigureAwait(false);
        return bytes.ToArray();
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
