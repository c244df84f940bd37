using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Memshare.Cli;

/// <summary>
/// What SIGINT, SIGQUIT, SIGTERM and SIGHUP do to a command that waits, and then perhaps runs another program.
/// </summary>
/// <remarks>
/// <para>While waiting, the first of them cancels <see cref="Token"/>: the wait ends cleanly (a process killed
/// mid-wait would stay counted among the lock's or event's waiters) and the command throws
/// <see cref="InterruptedBySignalException"/>, so memshare exits with 128 + the signal number (130 for Ctrl+C,
/// 143 for SIGTERM), as a shell reports a process killed by that signal.</para>
/// <para>Once <see cref="Start"/> has started a program, memshare stays until it exits, because leaving would
/// release a lock the program still relies on. SIGTERM and SIGHUP are passed on to the program; SIGINT and
/// SIGQUIT are not, because a terminal sends those to the program as well (as <c>system(3)</c> does).</para>
/// </remarks>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly Lock _gate = new();
    private Process? _program;
    private int _signal;

    public Interruption()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal),
        ];
    }

    /// <summary>Cancelled by the first signal that arrives before a program is started.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The number of the signal that cancelled <see cref="Token"/>, or 0.</summary>
    public int Signal
    {
        get
        {
            lock (_gate)
            {
                return _signal;
            }
        }
    }

    /// <summary>The signal's name for a message, e.g. <c>SIGINT</c>.</summary>
    public static string NameOf(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        15 => "SIGTERM",
        _ => $"signal {signal}",
    };

    /// <summary>
    /// Starts <paramref name="start"/> unless a signal has already arrived (then returns null); from then on,
    /// signals are handled as the remarks describe.
    /// </summary>
    public Process? Start(ProcessStartInfo start)
    {
        lock (_gate)
        {
            if (_signal != 0)
            {
                return null;
            }

            _program = Process.Start(start) ?? throw new InvalidOperationException($"Process.Start returned no process for '{start.FileName}'.");
            return _program;
        }
    }

    /// <summary>Call once the started program has exited: signals are no longer passed on to it.</summary>
    public void Finished()
    {
        lock (_gate)
        {
            _program = null;
        }
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // memshare exits on its own, after it has released what it holds
        int number = Number(context.Signal);
        bool cancel = false;
        lock (_gate)
        {
            if (_program is null)
            {
                cancel = _signal == 0;
                if (cancel)
                {
                    _signal = number;
                }
            }
            else if (context.Signal is PosixSignal.SIGTERM or PosixSignal.SIGHUP && !OperatingSystem.IsWindows() && !_program.HasExited)
            {
                _ = Native.Kill(_program.Id, number);
            }
        }

        if (cancel)
        {
            _cancel.Cancel();
        }
    }

    /// <summary>The signal's number, the same on Linux and macOS.</summary>
    private static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGTERM => 15,
        _ => (int)signal,
    };
}
