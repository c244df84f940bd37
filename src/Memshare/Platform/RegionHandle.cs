namespace Memshare.Platform;

/// <summary>
/// The one owner of a mapped <see cref="OsRegion"/> (its descriptor or mapping handle plus the mapping), as
/// <c>SafeMemoryMappedViewHandle</c> owns a view: reference-counted, so a use racing <c>Dispose</c> on another thread
/// never touches unmapped memory, and finalized, so a region nobody disposed is still released.
/// </summary>
/// <remarks>
/// <para>Every member that touches the mapping brackets the access with <see cref="Enter"/> / <see cref="Exit"/>
/// (<see cref="SafeHandle.DangerousAddRef"/> / <see cref="SafeHandle.DangerousRelease"/>, as <see cref="SafeBuffer"/>
/// does). <c>Dispose</c> only drops the owner's reference: the region is unmapped by whichever thread leaves last.</para>
/// <para><see cref="IsDisposing"/> turns true at <c>Dispose</c>, before the mapping goes: the typed objects throw
/// <see cref="ObjectDisposedException"/> on it at once, and waiters that hold a reference poll it to end their wait.</para>
/// </remarks>
internal sealed unsafe class RegionHandle : SafeHandle
{
    private readonly OsRegion _region;
    private Action? _beforeRelease;
    private volatile bool _disposing;

    internal RegionHandle(OsRegion region)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _region = region;
        SetHandle((IntPtr)region.Base);
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>True once <c>Dispose</c> was called, even while other threads still hold references.</summary>
    internal bool IsDisposing => _disposing;

    /// <summary>Start of the mapping of the whole region; dereference it only between <see cref="Enter"/> and <see cref="Exit"/>.</summary>
    internal byte* Base => (byte*)handle;

    /// <summary>The region this handle owns (its size and flags; its memory only under a reference).</summary>
    internal OsRegion Region => _region;

    /// <summary>
    /// Registers work to run once, while the region is still mapped, after the last reference is dropped: a lock
    /// to release, a wait channel to close. Set it before handing the handle to other threads.
    /// </summary>
    internal void RunBeforeRelease(Action action) => _beforeRelease = action;

    /// <summary>Takes a reference so the mapping stays until <see cref="Exit"/>; throws <see cref="ObjectDisposedException"/> naming <paramref name="owner"/> once disposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Enter(object owner)
    {
        if (_disposing)
        {
            ThrowHelper.ThrowObjectDisposed(owner);
        }

        // Throws ObjectDisposedException itself if the last reference went between the check and here.
        bool added = false;
        DangerousAddRef(ref added);
    }

    /// <summary>Drops the reference <see cref="Enter"/> or <see cref="TryEnter"/> took; the last one out unmaps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Exit() => DangerousRelease();

    /// <summary>Takes a reference even while disposing (to wake waiters); false only once the region is gone.</summary>
    internal bool TryEnter()
    {
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return added;
    }

    /// <summary>
    /// Closes the handle for an owner whose waits sleep on words in the mapping: once closing, and while the mapping is
    /// still there, runs <paramref name="wakeAll"/> so sleepers on other threads see the close now rather than at their
    /// next recheck. The last user to leave (this thread or a waiter) unmaps.
    /// </summary>
    internal void DisposeWaking<T>(Action<T> wakeAll, T owner)
    {
        if (_disposing)
        {
            return;
        }

        bool mapped = TryEnter();
        Dispose(); // waiters see IsDisposing from here on
        if (mapped)
        {
            try
            {
                wakeAll(owner);
            }
            finally
            {
                Exit();
            }
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        _disposing = true;
        base.Dispose(disposing);
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        try
        {
            _beforeRelease?.Invoke();
        }
        finally
        {
            _region.Dispose();
        }

        return true;
    }
}
