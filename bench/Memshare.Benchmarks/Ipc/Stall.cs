using System.Diagnostics;
using System.Runtime.CompilerServices;
using Memshare.Sync;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// Bounds a spin loop: each <see cref="Spin"/> is one CPU pause (as floor.c's spin), and every 1024th also checks
/// the clock, throwing <see cref="TimeoutException"/> once the peer has been silent for <see cref="IpcSettings.StallLimit"/>.
/// A dead peer therefore ends the run with an error instead of hanging it.
/// </summary>
internal struct Stall
{
    private int _spins;
    private long _deadline;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Spin(string waitingFor)
    {
        SpinThenSleep.Pause();
        if ((++_spins & 1023) == 0)
        {
            Check(waitingFor);
        }
    }

    private void Check(string waitingFor)
    {
        long now = Stopwatch.GetTimestamp();
        if (_deadline == 0)
        {
            _deadline = now + (long)(IpcSettings.StallLimit.TotalSeconds * Stopwatch.Frequency);
        }
        else if (now > _deadline)
        {
            throw new TimeoutException($"Waited {IpcSettings.StallLimit.TotalSeconds:F0} s for {waitingFor}; the peer process is gone or stuck.");
        }
    }
}
