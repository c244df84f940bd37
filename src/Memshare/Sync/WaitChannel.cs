using System.Globalization;
using Memshare.Interop;

namespace Memshare.Sync;

/// <summary>
/// Sleeping and waking on a 32-bit word in shared memory, across processes, without spinning: a futex on
/// Linux, <c>__ulock</c> on macOS, and a named semaphore on Windows (whose <c>WaitOnAddress</c> works only
/// within one process).
/// </summary>
/// <remarks>
/// Callers follow one protocol, which makes every implementation free of lost wake-ups: a waiter reads the
/// word, announces itself in a waiter count with an interlocked operation, re-checks its condition, and
/// only then calls <see cref="Wait"/> with the value it read; a waker changes the word with an interlocked
/// operation and calls <see cref="Wake"/> only if the waiter count is non-zero. <see cref="Wait"/> may return
/// early or spuriously; callers loop.
/// </remarks>
internal sealed unsafe class WaitChannel : IDisposable
{
    private readonly int* _word;
    private readonly Semaphore? _semaphore; // Windows only

    internal WaitChannel(int* word, string regionName, int wordOffset, bool globalNamespace)
    {
        _word = word;
        if (OperatingSystem.IsWindows())
        {
            string prefix = globalNamespace ? @"Global\" : @"Local\";
            _semaphore = new Semaphore(0, int.MaxValue,
                prefix + regionName + ".memshare-wait-" + wordOffset.ToString(CultureInfo.InvariantCulture));
        }
    }

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
        else if (_semaphore is not null && Volatile.Read(ref *_word) == expected)
        {
            _ = _semaphore.WaitOne(timeoutMs);
        }
    }

    /// <summary>Wakes up to <paramref name="count"/> sleepers (<see cref="int.MaxValue"/>: all).</summary>
    internal void Wake(int count)
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
        else if (_semaphore is not null)
        {
            try
            {
                _ = _semaphore.Release(count == int.MaxValue ? 64 : count);
            }
            catch (SemaphoreFullException)
            {
                // Enough wake-ups are already pending.
            }
        }
    }

    public void Dispose() => _semaphore?.Dispose();
}
