namespace Memshare.Sync;

/// <summary>What a pending async wait is waiting for, polled by <see cref="AsyncWaitHub"/>.</summary>
internal enum AsyncWaitPoll
{
    /// <summary>Not yet: keep sleeping on the word.</summary>
    NotReady,

    /// <summary>Done: complete the wait with true.</summary>
    Ready,

    /// <summary>Done without success (e.g. a channel completed and drained): complete with false.</summary>
    Finished,

    /// <summary>The object was disposed: complete with <see cref="ObjectDisposedException"/>.</summary>
    Closed,
}

/// <summary>
/// A shared-memory condition an async caller waits for without a thread: a futex word and its sleeper count
/// (the same pair the blocking waits use), and a poll that checks (and, for an auto-reset event, consumes) it.
/// Stateless apart from its owner, so that each owner keeps one and a wait allocates nothing.
/// </summary>
internal unsafe interface IAsyncWaitSource
{
    int* SeqWord { get; }

    int* WaitersWord { get; }

    /// <summary>The channel that sleeps on <see cref="SeqWord"/> (the Windows and fallback async waits use it).</summary>
    WaitChannel Channel { get; }

    /// <summary>Checks the condition; <paramref name="argument"/> is the one given to <see cref="AsyncWaitHub.WaitAsync"/>, so one source serves every wait.</summary>
    AsyncWaitPoll Poll(int argument);

    /// <summary>Called once when the wait ends, from any thread: drop the reference that kept the mapping alive.</summary>
    void ReleaseWait();
}
