using System.Threading.Tasks.Sources;

namespace Memshare.Sync;

/// <summary>
/// One pending async wait and the <see cref="ValueTask{TResult}"/> it completes. Pooled, so a steady stream of
/// waits allocates nothing: it goes back to the pool when both the completer and the awaiter are done with it (a
/// reset while the completer still signals would hand its sentinel to the next wait).
/// </summary>
internal sealed unsafe class AsyncWaitOperation : IValueTaskSource<bool>
{
    private static readonly AsyncWaitOperation?[] s_pool = new AsyncWaitOperation?[16];

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _users;

    private AsyncWaitOperation()
    {
    }

    public IAsyncWaitSource Source { get; private set; } = null!;

    /// <summary>What the source needs to know for this wait (the channel writer: the length it needs room for).</summary>
    public int Argument { get; private set; }

    /// <summary>The timeout the caller gave, in milliseconds (-1: none).</summary>
    public long TimeoutMs { get; private set; }

    /// <summary>When the wait times out, as the hub measures time (<see cref="long.MaxValue"/>: never).</summary>
    public long Deadline { get; set; }

    public CancellationToken Token { get; private set; }

    public CancellationTokenRegistration CancellationRegistration { get; set; }

    public ValueTask<bool> Task => new(this, _core.Version);

    internal static AsyncWaitOperation Rent(IAsyncWaitSource source, int argument, long timeoutMs, CancellationToken token)
    {
        AsyncWaitOperation? op = null;
        for (int i = 0; i < s_pool.Length && op is null; i++)
        {
            if (Volatile.Read(ref s_pool[i]) is not null)
            {
                op = Interlocked.Exchange(ref s_pool[i], null);
            }
        }

        op ??= new AsyncWaitOperation();
        op.Source = source;
        op.Argument = argument;
        op.TimeoutMs = timeoutMs;
        op.Token = token;
        op._users = 2; // the completer and the awaiter
        return op;
    }

    public AsyncWaitPoll Poll() => Source.Poll(Argument);

    /// <summary>Ends a wait registered in the source's sleeper count: withdraws, releases the source, then completes.</summary>
    public void Complete(AsyncWaitPoll poll)
    {
        IAsyncWaitSource source = Source;
        CancellationToken token = Token;
        Leave();
        switch (poll)
        {
            case AsyncWaitPoll.Ready: SetResult(true); break;
            case AsyncWaitPoll.Closed: SetException(new ObjectDisposedException(source.GetType().Name)); break;
            default:
                if (token.IsCancellationRequested)
                {
                    SetException(new OperationCanceledException(token));
                }
                else
                {
                    SetResult(false);
                }

                break;
        }
    }

    /// <summary>As <see cref="Complete"/>, with an error.</summary>
    public void Fail(Exception e)
    {
        Leave();
        SetException(e);
    }

    /// <summary>Completes the task; nothing of this object may be touched afterwards.</summary>
    public void SetResult(bool result)
    {
        _core.SetResult(result);
        Done();
    }

    /// <inheritdoc cref="SetResult"/>
    public void SetException(Exception e)
    {
        _core.SetException(e);
        Done();
    }

    public bool GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Done();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Leave()
    {
        Interlocked.Decrement(ref *Source.WaitersWord);
        Source.ReleaseWait();
        CancellationRegistration.Dispose();
    }

    private void Done()
    {
        if (Interlocked.Decrement(ref _users) != 0)
        {
            return;
        }

        _core.Reset();
        Source = null!;
        Token = default;
        CancellationRegistration = default;
        for (int i = 0; i < s_pool.Length; i++)
        {
            if (Interlocked.CompareExchange(ref s_pool[i], this, null) is null)
            {
                return;
            }
        }
    }
}
