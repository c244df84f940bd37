using System.Collections.Concurrent;
using System.Runtime.Versioning;
using Memshare.Interop;

namespace Memshare.Sync;

/// <summary>
/// Async waits that block no thread of the caller's: one background thread per process sleeps in
/// <c>futex_waitv</c> on the futex words of every pending async wait at once, plus a private word that wakes
/// it when a wait is added or cancelled. Linux 5.16 and later; elsewhere (or without futex_waitv) each wait
/// falls back to a dedicated thread.
/// </summary>
/// <remarks>
/// Each registered wait follows the same protocol as a blocking waiter: it has announced itself in the
/// source's sleeper count, and before every sleep the hub re-reads the word, then polls the condition, so a
/// wake-up between the two makes <c>futex_waitv</c> return at once. Sleeps are capped at 100 ms so a
/// notifier that died between publishing and waking delays a waiter by at most that long.
/// </remarks>
internal static unsafe class AsyncWaitHub
{
    private const int MaxWords = 128; // futex_waitv's limit, one of them the hub's own wake word
    private const long RecheckNs = 100_000_000;

    private static readonly ConcurrentQueue<Registration> s_incoming = new();
    private static readonly object s_startLock = new();
    private static int* s_wakeWord;
    private static bool s_started;
    private static bool s_unsupported;

    /// <summary>Waits for <paramref name="source"/>; true when ready, false on timeout or when finished.</summary>
    internal static Task<bool> WaitAsync(IAsyncWaitSource source, long timeoutMs, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() || !EnsureStarted())
        {
            return Task.Factory.StartNew(static s => Fallback(((IAsyncWaitSource, long, CancellationToken))s!),
                (source, timeoutMs, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        var registration = new Registration(source, timeoutMs < 0 ? long.MaxValue : Futex.MonotonicNowNs() + (timeoutMs * 1_000_000), cancellationToken);
        Interlocked.Increment(ref *source.WaitersWord); // from now on, notifiers wake the word we will sleep on
        AsyncWaitPoll first;
        try
        {
            first = source.Poll();
        }
        catch (Exception e)
        {
            registration.Fail(e);
            return registration.Task;
        }

        if (first != AsyncWaitPoll.NotReady)
        {
            registration.Complete(first);
            return registration.Task;
        }

        if (cancellationToken.CanBeCanceled)
        {
            registration.CancellationRegistration = cancellationToken.UnsafeRegister(static _ => Poke(), null);
        }

        s_incoming.Enqueue(registration);
        Poke();
        return registration.Task;
    }

    private static bool Fallback((IAsyncWaitSource Source, long TimeoutMs, CancellationToken Token) w)
    {
        // Without futex_waitv: poll in short sleeps on this dedicated thread.
        long deadline = w.TimeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + w.TimeoutMs;
        Interlocked.Increment(ref *w.Source.WaitersWord);
        try
        {
            while (true)
            {
                switch (w.Source.Poll())
                {
                    case AsyncWaitPoll.Ready: return true;
                    case AsyncWaitPoll.Finished: return false;
                    case AsyncWaitPoll.Closed: throw new ObjectDisposedException(w.Source.GetType().Name);
                }

                w.Token.ThrowIfCancellationRequested();
                if (Environment.TickCount64 >= deadline)
                {
                    return false;
                }

                Thread.Sleep(1);
            }
        }
        finally
        {
            Interlocked.Decrement(ref *w.Source.WaitersWord);
            w.Source.ReleaseWait();
        }
    }

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
        var pending = new List<Registration>();
        Futex.FutexWaitv* vector = (Futex.FutexWaitv*)NativeMemory.AllocZeroed((nuint)(MaxWords * sizeof(Futex.FutexWaitv)));
        while (true)
        {
            int wake = Volatile.Read(ref *s_wakeWord);
            while (s_incoming.TryDequeue(out Registration? r))
            {
                pending.Add(r);
            }

            long now = Futex.MonotonicNowNs();
            long deadline = now + RecheckNs;
            int count = 1;
            vector[0] = new Futex.FutexWaitv { Value = (uint)wake, Address = (ulong)s_wakeWord, Flags = Futex.FUTEX2_SIZE_U32 | Futex.FUTEX2_PRIVATE };
            for (int i = pending.Count - 1; i >= 0; i--)
            {
                Registration r = pending[i];
                int seq = Volatile.Read(ref *r.Source.SeqWord); // read before polling: see the remarks
                AsyncWaitPoll poll;
                try
                {
                    poll = r.Token.IsCancellationRequested ? AsyncWaitPoll.NotReady : r.Source.Poll();
                }
                catch (Exception e)
                {
                    // A corrupt region, for instance: the waiter gets the exception; this thread lives on.
                    r.Fail(e);
                    pending.RemoveAt(i);
                    continue;
                }

                if (poll != AsyncWaitPoll.NotReady || r.Token.IsCancellationRequested || now >= r.Deadline)
                {
                    r.Complete(poll);
                    pending.RemoveAt(i);
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

    private sealed class Registration(IAsyncWaitSource source, long deadline, CancellationToken token)
    {
        private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IAsyncWaitSource Source { get; } = source;

        public long Deadline { get; } = deadline;

        public CancellationToken Token { get; } = token;

        public CancellationTokenRegistration CancellationRegistration { get; set; }

        public Task<bool> Task => _completion.Task;

        public void Fail(Exception e)
        {
            Interlocked.Decrement(ref *Source.WaitersWord);
            Source.ReleaseWait();
            CancellationRegistration.Dispose();
            _completion.TrySetException(e);
        }

        public void Complete(AsyncWaitPoll poll)
        {
            Interlocked.Decrement(ref *Source.WaitersWord);
            Source.ReleaseWait();
            CancellationRegistration.Dispose();
            _ = poll switch
            {
                AsyncWaitPoll.Ready => _completion.TrySetResult(true),
                AsyncWaitPoll.Closed => _completion.TrySetException(new ObjectDisposedException(Source.GetType().Name)),
                _ when Token.IsCancellationRequested => _completion.TrySetCanceled(Token),
                _ => _completion.TrySetResult(false),
            };
        }
    }
}
