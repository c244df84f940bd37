using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Memshare.Tests.Peers;

/// <summary>A native peer process (C or Boost) with line-based stdin/stdout, killed on dispose.</summary>
public sealed class NativePeer : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private NativePeer(string exe, string[] args)
    {
        var info = new ProcessStartInfo(exe)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.CompleteAdding();
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

    public int Pid => _process.Id;

    public string Stderr => string.Join('\n', _stderr);

    public static NativePeer Start(string exe, params string[] args) => new(exe, args);

    /// <summary>Runs a peer to completion: its exit code, stdout lines and stderr.</summary>
    public static (int Exit, List<string> Lines, string Stderr) Run(string exe, params string[] args)
    {
        using var peer = new NativePeer(exe, args);
        peer.CloseInput();
        int exit = peer.WaitForExit(TimeSpan.FromSeconds(60));
        return (exit, [.. peer._lines], peer.Stderr);
    }

    public string ReadLine(TimeSpan? timeout = null)
    {
        TimeSpan wait = timeout ?? TimeSpan.FromSeconds(30);
        if (_lines.TryTake(out string? line, wait))
        {
            return line;
        }

        throw new TimeoutException($"peer {Pid} wrote no line within {wait.TotalSeconds} s (exited: {_process.HasExited}); stderr: {Stderr}");
    }

    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    public void CloseInput() => _process.StandardInput.Close();

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"peer {Pid} did not exit within {timeout.TotalSeconds} s; stderr: {Stderr}");
        }

        _process.WaitForExit(); // drains redirected output
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the peer gets no chance to release anything.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
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
        _lines.Dispose();
    }
}
