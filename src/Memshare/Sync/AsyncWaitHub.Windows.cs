using System.Diagnostics;
using System.Runtime.Versioning;
using Memshare.Interop;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Sync;

/// <summary>Windows: each async wait is a thread-pool registered wait on the wait event of the value it read.</summary>
internal static unsafe partial class AsyncWaitHub
{
    [SupportedOSPlatform("windows")]
    private static Task<bool> WaitWindows(IAsyncWaitSource source, int argument, long timeoutMs, CancellationToken cancellationToken)
    {
        var wait = new WindowsWait(source, argument, timeoutMs, cancellationToken);
        wait.Start();
        return wait.Task;
    }

    /// <summary>
    /// One pending wait: poll, and if not ready, register a kernel wait on the event of the word's current value
    /// (<see cref="WaitChannel.CreateWaitEvent"/>) for at most the recheck interval; on every signal or timeout,
    /// poll again. Every step runs under <see cref="_gate"/>, so a cancellation never races a poll, and nothing
    /// touches the source after <see cref="Finish"/> released it.
    /// </summary>
    [SupportedOSPlatform("windows")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disarm disposes _event on every path that ends a wait.")]
    private sealed class WindowsWait(IAsyncWaitSource source, int argument, long timeoutMs, CancellationToken token)
    {
        private static readonly WaitOrTimerCallback s_onSignal = static (s, _) => ((WindowsWait)s!).OnSignal();

        private readonly object _gate = new();
        private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly long _deadline = timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        private CancellationTokenRegistration _cancellation;
        private RegisteredWaitHandle? _registered;
        private EventHandle? _event;
        private bool _done;
        private long _announced;

        public Task<bool> Task => _completion.Task;

        public void Start()
        {
            Interlocked.Increment(ref *source.WaitersWord); // from now on, notifiers wake the values we sleep on
            _announced = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                Step();
            }

            if (token.CanBeCanceled)
            {
                // Registered after the first step: an already cancelled token runs OnCancel right here.
                CancellationTokenRegistration registration = token.UnsafeRegister(static s => ((WindowsWait)s!).OnCancel(), this);
                lock (_gate)
                {
                    if (_done)
                    {
                        _ = registration.Unregister();
                    }
                    else
                    {
                        _cancellation = registration;
                    }
                }
            }
        }

        private void OnSignal()
        {
            lock (_gate)
            {
                if (!_done)
                {
                    Disarm();
                    Step();
                }
            }
        }

        private void OnCancel()
        {
            lock (_gate)
            {
                if (!_done)
                {
                    Finish(AsyncWaitPoll.NotReady, null);
                }
            }
        }

        private void Step()
        {
            while (true)
            {
                long look = Stopwatch.GetTimestamp(); // a poll that starts after the race window sees a publish that raced the announcement
                int seq = Volatile.Read(ref *source.SeqWord); // before polling: see the hub's remarks
                AsyncWaitPoll poll;
                try
                {
                    poll = source.Poll(argument);
                }
                catch (Exception e)
                {
                    Finish(AsyncWaitPoll.NotReady, e);
                    return;
                }

                long remaining = _deadline - Environment.TickCount64;
                if (poll != AsyncWaitPoll.NotReady || token.IsCancellationRequested || remaining <= 0)
                {
                    Finish(poll, null);
                    return;
                }

                // Windows waits in whole milliseconds: within the race window after the announcement, the shortest.
                uint timeout = (uint)Math.Min(remaining, SpinThenSleep.InRaceWindow(_announced, look) ? 1 : SpinThenSleep.RecheckMilliseconds);
                nint handle = source.Channel.CreateWaitEvent(seq);
                if (handle != 0 && Volatile.Read(ref *source.SeqWord) != seq)
                {
                    _ = Kernel32.CloseHandle(handle); // changed meanwhile: poll again
                    continue;
                }

                // Without an event (a squatted name) the wait is a plain timer of at most 1 ms on a never-set handle.
                _event = new EventHandle(handle != 0 ? new SafeWaitHandle(handle, ownsHandle: true) : s_never.SafeWaitHandle, handle != 0);
                _registered = ThreadPool.UnsafeRegisterWaitForSingleObject(_event, s_onSignal, this, handle != 0 ? timeout : Math.Min(timeout, 1), executeOnlyOnce: true);
                return;
            }
        }

        private void Disarm()
        {
            _ = _registered?.Unregister(null);
            _registered = null;
            _event?.Dispose();
            _event = null;
        }

        private void Finish(AsyncWaitPoll poll, Exception? error)
        {
            _done = true;
            Disarm();
            _ = _cancellation.Unregister(); // not Dispose: that would wait for an OnCancel blocked on our gate
            Interlocked.Decrement(ref *source.WaitersWord);
            source.ReleaseWait();
            _ = error is not null ? _completion.TrySetException(error) : poll switch
            {
                AsyncWaitPoll.Ready => _completion.TrySetResult(true),
                AsyncWaitPoll.Closed => _completion.TrySetException(new ObjectDisposedException(source.GetType().Name)),
                _ when token.IsCancellationRequested => _completion.TrySetCanceled(token),
                _ => _completion.TrySetResult(false),
            };
        }
    }

    private static readonly ManualResetEvent s_never = new(false);

    /// <summary>A <see cref="WaitHandle"/> over an event handle, for <see cref="ThreadPool.RegisterWaitForSingleObject(WaitHandle, WaitOrTimerCallback, object?, uint, bool)"/>.</summary>
    private sealed class EventHandle : WaitHandle
    {
        private readonly bool _owns;

        public EventHandle(SafeWaitHandle handle, bool owns)
        {
            SafeWaitHandle = handle;
            _owns = owns;
        }

        protected override void Dispose(bool explicitDisposing)
        {
            if (_owns)
            {
                base.Dispose(explicitDisposing);
            }
        }
    }
}
