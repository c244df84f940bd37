using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Memshare.Tests.Nats;

/// <summary>
/// A real <c>nats-server -js</c> for one test class (an xunit class fixture): a free port on 127.0.0.1 and a
/// temporary store directory, both its own. <see cref="Dispose"/> kills it and removes the store, also when tests
/// failed. <see cref="Kill"/> and <see cref="Start"/> restart it on the same port and store, as an operator's restart would.
/// </summary>
public sealed class NatsServer : IDisposable
{
    private readonly string _storeDir = Path.Combine(Path.GetTempPath(), "memshare-nats-" + Guid.NewGuid().ToString("N")[..10]);
    private Process? _process;

    public NatsServer()
    {
        Port = FreePort();
        Directory.CreateDirectory(_storeDir);
        Start();
    }

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>A URL on which nothing listens.</summary>
    public static string UnreachableUrl => $"nats://127.0.0.1:{FreePort()}";

    /// <summary>Starts the server (again) and waits until it accepts connections.</summary>
    public void Start()
    {
        var info = new ProcessStartInfo("nats-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "-js", "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", _storeDir })
        {
            info.ArgumentList.Add(a);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("nats-server did not start; install it (apt-get install nats-server).");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(20) && !_process.HasExited)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>SIGKILL: the server gets no chance to shut down cleanly; JetStream's file store keeps what it acknowledged.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(_storeDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
