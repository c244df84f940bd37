using System.Diagnostics;
using System.Text;

namespace Memshare.Tests.Infrastructure;

/// <summary>
/// A separate process whose stdin and stdout are raw bytes (for <c>send</c>/<c>recv</c>, where <see cref="Child"/>'s
/// line reading could not tell <c>"a\n"</c> from <c>"a"</c> and would drop '\r'), with line reads on top for
/// peers that talk in lines. Dispose kills it if still running.
/// </summary>
internal abstract class PipedProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _title;
    private readonly MemoryStream _stdout = new(); // guarded by itself
    private readonly Task _stdoutDone;
    private readonly Task<string> _stderr;
    private Task _feed = Task.CompletedTask;
    private int _consumed;

    /// <param name="title">How messages name the process, e.g. "memshare" or "python3".</param>
    /// <param name="commandLine">The program and its arguments.</param>
    /// <param name="arguments">The arguments as failure messages show them.</param>
    /// <param name="environment">Extra environment variables.</param>
    protected PipedProcess(string title, string[] commandLine, string[] arguments, IEnumerable<KeyValuePair<string, string>> environment)
    {
        _title = title;
        Arguments = arguments;
        var info = new ProcessStartInfo(commandLine[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in commandLine.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        foreach ((string key, string value) in environment)
        {
            info.Environment[key] = value;
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException($"{commandLine[0]} did not start");
        _stdoutDone = PumpAsync(_process.StandardOutput.BaseStream);
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public string[] Arguments { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    private string Described => $"{_title} {string.Join(' ', Arguments)} (pid {Pid})";

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
                if (left <= TimeSpan.Zero || _stdoutDone.IsCompleted)
                {
                    throw new TimeoutException($"{Described} wrote no line within {wait.TotalSeconds} s "
                        + $"(exited: {_process.HasExited}); stderr: {(_stderr.IsCompleted ? _stderr.Result : "")}");
                }

                Monitor.Wait(_stdout, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            }
        }
    }

    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>
    /// Writes <paramref name="input"/> to stdin, then closes it, in the background: a sender blocked on a full
    /// channel stops reading, and the pipe to it fills.
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

    /// <summary>Sends a POSIX signal (e.g. SIGTERM = 15).</summary>
    public void Signal(int signal) => _ = kill(_process.Id, signal);

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

    /// <summary>
    /// Waits for exit and for both output pipes to close (which includes any child that inherited them), then
    /// returns all of stdout (including lines already read) and stderr. Kills and fails on timeout.
    /// </summary>
    protected (int ExitCode, byte[] Stdout, string Stderr) WaitForOutput(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"{Described} did not exit within {timeout.TotalSeconds} s; stderr: {(_stderr.IsCompleted ? _stderr.Result : "(still open)")}");
        }

        Assert.True(Task.WaitAll([_stdoutDone, _stderr], TimeSpan.FromSeconds(30)), $"{Described}: output pipes stayed open after it exited");
        _ = _feed.Wait(TimeSpan.FromSeconds(30));
        lock (_stdout)
        {
            return (_process.ExitCode, _stdout.ToArray(), _stderr.Result);
        }
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

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
