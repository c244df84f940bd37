namespace Memshare.Sync;

/// <summary>
/// Lets <c>Dispose</c> on any thread close an object that one thread calls at a time (a channel writer or reader)
/// without an interlocked instruction on that thread's calls: the per-message path pays two plain stores and two
/// plain loads, and <see cref="Close"/> pays one process-wide memory barrier.
/// </summary>
/// <remarks>
/// <para>The protocol is Dekker's with an asymmetric fence. The calling thread stores <c>busy = 1</c>, then loads
/// <c>closing</c>; the closer stores <c>closing = 1</c>, runs <see cref="Interlocked.MemoryBarrierProcessWide"/>
/// (which makes every CPU running this process execute a full fence and drain its store buffer), then loads
/// <c>busy</c>. So at least one side sees the other's store: the closer sees the call in progress and leaves the
/// close action to it, or the caller sees the close and backs out. When both see each other, an interlocked flag
/// makes the close action run once. The same reasoning covers <see cref="Exit"/>: a caller leaving after the barrier
/// sees <c>closing</c> and runs the action itself.</para>
/// <para>The action therefore never runs while a call is inside, and a call never starts after it ran. It is the
/// object's only way to drop its reference on the mapping, so the memory a call touches stays mapped.</para>
/// <para>Calls must not nest: a public member enters once and works through private <c>…Core</c> methods.</para>
/// </remarks>
internal sealed class CallGate(Action close)
{
    private int _busy;    // 1 while the calling thread is inside a member; written only by that thread
    private int _closing; // 1 once Close was called
    private int _closed;  // 1 once the close action has run

    /// <summary>Whether <see cref="Close"/> was called; waits poll it to end with <see cref="ObjectDisposedException"/>.</summary>
    internal bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Marks the calling thread inside a member; false (and not inside) once closing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryEnter()
    {
        // Two volatile accesses that neither the JIT nor (with the closer's barrier) the CPU lets cross: the store
        // pairs with the closer's load of _busy after its barrier; the load pairs with its store of _closing.
        Volatile.Write(ref _busy, 1);
        if (Volatile.Read(ref _closing) == 0)
        {
            return true;
        }

        Exit();
        return false;
    }

    /// <summary>Enters, or throws <see cref="ObjectDisposedException"/> for <paramref name="owner"/> once closing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Enter(object owner)
    {
        if (!TryEnter())
        {
            ThrowHelper.ThrowObjectDisposed(owner);
        }
    }

    /// <summary>Leaves the member; runs the close action if <see cref="Close"/> came meanwhile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Exit()
    {
        Volatile.Write(ref _busy, 0);
        if (Volatile.Read(ref _closing) != 0)
        {
            RunClose();
        }
    }

    /// <summary>Closes: runs the close action now if no call is inside, else when that call leaves.</summary>
    internal void Close()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        Interlocked.MemoryBarrierProcessWide();
        if (Volatile.Read(ref _busy) == 0)
        {
            RunClose();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RunClose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            close();
        }
    }
}
