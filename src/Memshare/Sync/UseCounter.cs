namespace Memshare.Sync;

/// <summary>
/// Keeps a mapping alive while threads of this process are inside a blocking call on it, the way
/// <see cref="SafeHandle"/> reference-counts a handle: <see cref="BeginClose"/> only marks the object closing, and
/// the last thread to leave runs the release action. Without it, a <c>Dispose</c> on one thread would unmap
/// memory that a waiter on another thread is about to read.
/// </summary>
internal sealed class UseCounter
{
    private const int ClosingBit = 1 << 30;
    private readonly Action _release;
    private int _state = 1; // the owner's reference; ClosingBit once Close was called

    internal UseCounter(Action release) => _release = release;

    internal bool IsClosing => (Volatile.Read(ref _state) & ClosingBit) != 0;

    /// <summary>Takes a reference; false once closing.</summary>
    internal bool TryEnter()
    {
        while (true)
        {
            int s = Volatile.Read(ref _state);
            if ((s & ClosingBit) != 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, s + 1, s) == s)
            {
                return true;
            }
        }
    }

    internal void Exit()
    {
        if ((Interlocked.Decrement(ref _state) & ~ClosingBit) == 0)
        {
            _release();
        }
    }

    /// <summary>
    /// Marks the object closing; false if it already was. The caller may still touch the mapping (to wake its
    /// waiters) and must then call <see cref="Exit"/> to drop the owner's reference.
    /// </summary>
    internal bool BeginClose()
    {
        while (true)
        {
            int s = Volatile.Read(ref _state);
            if ((s & ClosingBit) != 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, s | ClosingBit, s) == s)
            {
                return true;
            }
        }
    }
}
