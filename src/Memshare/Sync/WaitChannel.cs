using Memshare.Interop;

namespace Memshare.Sync;

/// <summary>
/// Sleeping and waking on a 32-bit word in shared memory, across processes, without spinning: a futex on
/// Linux, <c>__ulock</c> on macOS, and on Windows (whose <c>WaitOnAddress</c> works only within one process)
/// a named event per value of the word (see WaitChannel.Windows.cs).
/// </summary>
/// <remarks>
/// Callers follow one protocol (<see cref="SpinThenSleep"/>): a waiter announces itself in a waiter count with an
/// interlocked operation, then, before each look at its condition, reads the word, and calls <see cref="Wait"/>
/// with the value it read; a waker publishes its change, then, only if the waiter count is non-zero, changes the
/// word with an interlocked increment and calls <see cref="Wake"/> with the value that increment returned. A waker
/// that publishes without a full fence before reading the count (a channel) may miss a waiter announcing at that
/// moment; <see cref="SpinThenSleep.RaceWindowMicroseconds"/> says why the waiter's looks still find its change.
/// <see cref="Wait"/> may return early or spuriously; callers loop.
/// </remarks>
internal sealed unsafe partial class WaitChannel : IDisposable
{
    private readonly int* _word;

    internal WaitChannel(int* word, string regionName, int wordOffset, bool globalNamespace)
    {
        _word = word;
        if (OperatingSystem.IsWindows())
        {
            InitWindows(regionName, wordOffset, globalNamespace);
        }
    }

    /// <summary>The word this channel sleeps on.</summary>
    internal int* Word => _word;

    /// <summary>Sleeps while the word equals <paramref name="expected"/>, for at most <paramref name="timeoutMs"/>.</summary>
    internal void Wait(int expected, int timeoutMs)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Futex.Wait(_word, expected, timeoutMs);
        }
        else if (OperatingSystem.IsMacOS())
        {
            ULock.Wait(_word, expected, timeoutMs);
        }
        else if (OperatingSystem.IsWindows())
        {
            WaitWindows(expected, timeoutMs);
        }
    }

    /// <summary>
    /// Wakes up to <paramref name="count"/> sleepers (<see cref="int.MaxValue"/>: all) after the caller's
    /// <see cref="Interlocked.Increment(ref int)"/> of the word returned <paramref name="bumpedTo"/>. Windows wakes
    /// every sleeper that waited for the value before it, whatever <paramref name="count"/>; the others sleep again.
    /// </summary>
    internal void Wake(int bumpedTo, int count)
    {
        SpinThenSleep.NoteWake();
        if (OperatingSystem.IsLinux())
        {
            Futex.Wake(_word, count);
        }
        else if (OperatingSystem.IsMacOS())
        {
            ULock.Wake(_word, all: count > 1);
        }
        else if (OperatingSystem.IsWindows())
        {
            WakeWindows(bumpedTo);
        }
    }

    public void Dispose()
    {
        if (OperatingSystem.IsWindows())
        {
            DisposeWindows();
        }
    }
}
