using System.Collections.Concurrent;
using System.Runtime.Versioning;
using Memshare.Interop;

namespace Memshare.Sync;

/// <summary>
/// Async waits that block no thread of the caller's. On Linux 5.16 and later, one background thread per process
/// sleeps in <c>futex_waitv</c> on the futex words of every pending async wait at once, plus a private word that
/// wakes it when a wait is added or cancelled. On Windows each wait is a thread-pool registered wait on the
/// word's wait event (see AsyncWaitHub.Windows.cs). Elsewhere (macOS, older Linux) each wait runs the blocking
/// wait (<see cref="SpinThenSleep"/>) on a dedicated thread. Waits complete a pooled
/// <see cref="AsyncWaitOperation"/>, and sources are kept by their owners, so on Linux a wait allocates nothing.
/// </summary>
/// <remarks>
/// Each registered wait follows the same protocol as a blocking waiter: it has announced itself in the
/// source's sleeper count, and before every sleep it re-reads the word, then polls the condition, so a
/// wake-up between the two ends the sleep at once. Sleeps are capped at 100 ms so a notifier that died between
/// publishing and waking delays a waiter by at most that long; the sleep right after a wait is added ends once its
/// race window has passed (<see cref="SpinThenSleep.RaceWindowMicroseconds"/>), and the wait is polled again. Every
/// path calls the source's <see cref="IAsyncWaitSource.ReleaseWait"/> exactly once, whenever the wait ends
/// (cancelled before it began included), and never polls after it.
/// </remarks>
internal static unsafe partial class AsyncWaitHub
{
    private const int MaxWords = 128; // futex_waitv's limit, one of them the hub's own wake word
    private const long RecheckNs = SpinThenSleep.RecheckMilliseconds * 1_000_000L;
    private const long RaceWindowNs = SpinThenSleep.RaceWindowMicroseconds * 1_000L;

    private static readonly ConcurrentQueue<AsyncWaitOperation> s_incoming = new();
    private static readonly object s_startLock = new();
    private static int* s_wakeWord;
    private static bool s_started;
    private static bool s_unsupported;

    /// <summary>Makes every async wait take the macOS path (a thread per wait), so that tests on Linux cover it.</summary>
    internal static bool ThreadPerWait { get; set; }

    /// <summary>
    /// Waits for <paramref name="source"/> (polled with <paramref name="argument"/>); true when ready, false on timeout
    /// or when finished. On Linux with <c>futex_waitv</c> the wait allocates nothing: its operation is pooled.
    /// </summary>
    internal static ValueTask<bool> WaitAsync(IAsyncWaitSource source, int argument, long timeoutMs, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            return new ValueTask<bool>(WaitWindows(source, argument, timeoutMs, cancellationToken));
        }

        AsyncWaitOperation op = AsyncWaitOperation.Rent(source, argument, timeoutMs, cancellationToken);
        if (!OperatingSystem.IsLinux() || ThreadPerWait || !EnsureStarted())
        {
            // Not StartNew(..., cancellationToken): a token cancelled before the task ran would skip Fallback and
            // with it ReleaseWait, and the region would never be released. Fallback sees the cancellation itself.
            _ = Task.Factory.StartNew(static s => Fallback((AsyncWaitOperation)s!), op, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return op.Task;
        }

        op.Deadline = timeoutMs < 0 ? long.MaxValue : Futex.MonotonicNowNs() + (timeoutMs * 1_000_000);
        ValueTask<bool> task = op.Task; // taken first: a completed operation may be reused at once
        Interlocked.Increment(ref *source.WaitersWord); // from now on, notifiers wake the word we will sleep on
        AsyncWaitPoll first;
        try
        {
            first = op.Poll();
        }
        catch (Exception e)
        {
            op.Fail(e);
            return task;
        }

        if (first != AsyncWaitPoll.NotReady)
        {
            op.Complete(first);
            return task;
        }

        if (cancellationToken.CanBeCanceled)
        {
            op.CancellationRegistration = cancellationToken.UnsafeRegister(static _ => Poke(), null);
        }

        s_incoming.Enqueue(op);
        Poke();
        return task;
    }

    private static void Fallback(AsyncWaitOperation op)
    {
        CancellationToken token = op.Token;
        try
        {
            op.SetResult(SleepOnWord(op.Source, op.Argument, op.TimeoutMs, token));
        }
        catch (OperationCanceledException e) when (token.IsCancellationRequested)
        {
            op.SetException(e);
        }
        catch (Exception e)
        {
            op.SetException(e);
        }
    }

    private static bool SleepOnWord(IAsyncWaitSource source, int argument, long timeoutMs, CancellationToken token)
    {
        // Without futex_waitv or Windows events: the blocking wait (no spin) on this dedicated thread. Its
        // cancellation wake-up is disposed before ReleaseWait, so it never touches an unmapped word.
        try
        {
            var wait = new OnWord<Polled>(new Polled(source, argument), new WakeWord(source.Channel, source.SeqWord, source.WaitersWord));
            return SpinThenSleep.Wait(ref wait, spinTicks: 0, timeoutMs, static s => WakeWord((IAsyncWaitSource)s!), source, token);
        }
        finally
        {
            source.ReleaseWait();
        }
    }

    /// <summary>An async wait's source as a blocking wait's condition.</summary>
    private struct Polled(IAsyncWaitSource source, int argument) : IWaitCondition
    {
        private AsyncWaitPoll _last;

        public bool IsMet() => (_last = source.Poll(argument)) == AsyncWaitPoll.Ready;

        public readonly bool IsFinished() => _last == AsyncWaitPoll.Closed
            ? throw new ObjectDisposedException(source.GetType().Name)
            : _last == AsyncWaitPoll.Finished;
    }

    private static void WakeWord(IAsyncWaitSource source) =>
        source.Channel.Wake(Interlocked.Increment(ref *source.SeqWord), int.MaxValue);

    [SupportedOSPlatform("linux")]
    private static bool EnsureStarted()
    {
        if (Volatile.Read(ref s_started))
        {
            return true;
        }

        lock (s_startLock)
        {
            if (s_unsupported)
            {
                return false;
            }

            if (!s_started)
            {
                // Probe: an empty wait with a past deadline answers ETIMEDOUT where futex_waitv exists.
                int* word = (int*)NativeMemory.AllocZeroed(64);
                var probe = new Futex.FutexWaitv { Value = 1, Address = (ulong)word, Flags = Futex.FUTEX2_SIZE_U32 | Futex.FUTEX2_PRIVATE };
                if (Futex.WaitMany(&probe, 1, 0) == -Futex.ENOSYS)
                {
                    NativeMemory.Free(word);
                    s_unsupported = true;
                    return false;
                }

                s_wakeWord = word;
                new Thread(Run) { IsBackground = true, Name = "memshare async waits" }.Start();
                Volatile.Write(ref s_started, true);
            }
        }

        return true;
    }

    private static void Poke()
    {
        if (OperatingSystem.IsLinux() && s_wakeWord != null)
        {
            Interlocked.Increment(ref *s_wakeWord);
            Futex.WakePrivate(s_wakeWord, 1);
        }
    }

    [SupportedOSPlatform("linux")]
    private static void Run()
    {
        var pending = new List<AsyncWaitOperation>();
        Futex.FutexWaitv* vector = (Futex.FutexWaitv*)NativeMemory.AllocZeroed((nuint)(MaxWords * sizeof(Futex.FutexWaitv)));
        long raceWindowEnd = 0;
        while (true)
        {
            int wake = Volatile.Read(ref *s_wakeWord);
            bool added = false;
            while (s_incoming.TryDequeue(out AsyncWaitOperation? r))
            {
                pending.Add(r);
                added = true;
            }

            long now = Futex.MonotonicNowNs();
            if (added)
            {
                raceWindowEnd = now + RaceWindowNs; // each new wait announced itself before it was queued
            }

            long deadline = now < raceWindowEnd ? raceWindowEnd : now + RecheckNs;
            int count = 1;
            vector[0] = new Futex.FutexWaitv { Value = (uint)wake, Address = (ulong)s_wakeWord, Flags = Futex.FUTEX2_SIZE_U32 | Futex.FUTEX2_PRIVATE };
            for (int i = pending.Count - 1; i >= 0; i--)
            {
                AsyncWaitOperation r = pending[i];
                int seq = Volatile.Read(ref *r.Source.SeqWord); // read before polling: see the remarks
                AsyncWaitPoll poll;
                try
                {
                    poll = r.Token.IsCancellationRequested ? AsyncWaitPoll.NotReady : r.Poll();
                }
                catch (Exception e)
                {
                    // A corrupt region, for instance: the waiter gets the exception; this thread lives on.
                    pending.RemoveAt(i);
                    r.Fail(e);
                    continue;
                }

                if (poll != AsyncWaitPoll.NotReady || r.Token.IsCancellationRequested || now >= r.Deadline)
                {
                    pending.RemoveAt(i); // first: once completed, the operation may be reused at once
                    r.Complete(poll);
                    continue;
                }

                deadline = Math.Min(deadline, r.Deadline);
                if (count < MaxWords)
                {
                    vector[count++] = new Futex.FutexWaitv { Value = (uint)seq, Address = (ulong)r.Source.SeqWord, Flags = Futex.FUTEX2_SIZE_U32 };
                }
                else
                {
                    deadline = Math.Min(deadline, now + 1_000_000); // more waits than words: poll the rest every 1 ms
                }
            }

            _ = Futex.WaitMany(vector, count, deadline);
        }
    }
}
