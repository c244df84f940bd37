using System.Diagnostics;
using Memshare.Layout;
using Memshare.Platform;
using Memshare.Sync;

namespace Memshare.Channels;

/// <summary>
/// The channel's two wait lines: readers wait for data, writers for space. The only place the channel calls the
/// wait primitives (<see cref="SpinThenSleep"/>, <see cref="AsyncWaitHub"/>, <see cref="WaitChannel"/>), so they
/// can be replaced in one spot.
/// </summary>
internal sealed unsafe class RingSignals : IDisposable
{
    private readonly WaitWord* _data;
    private readonly WaitWord* _space;
    private readonly RegionHandle _handle;

    internal RingSignals(byte* regionBase, string name, bool globalNamespace, RegionHandle handle)
    {
        _data = (WaitWord*)(regionBase + ChannelLayout.DataWaitLine);
        _space = (WaitWord*)(regionBase + ChannelLayout.SpaceWaitLine);
        _handle = handle;
        DataWait = new WaitChannel(&_data->Seq, name, ChannelLayout.DataWaitLine, globalNamespace);
        SpaceWait = new WaitChannel(&_space->Seq, name, ChannelLayout.SpaceWaitLine, globalNamespace);
    }

    internal WaitChannel DataWait { get; }

    internal WaitChannel SpaceWait { get; }

    /// <summary>Readers asleep (or about to be) waiting for data; read after a full fence that published the data.</summary>
    internal bool ReadersWaiting => Volatile.Read(ref _data->Waiters) != 0;

    /// <summary>Writers asleep (or about to be) waiting for space; read after a full fence that published the space.</summary>
    internal bool WritersWaiting => Volatile.Read(ref _space->Waiters) != 0;

    internal void WakeReaders(bool all) =>
        DataWait.Wake(Interlocked.Increment(ref _data->Seq), all ? Math.Max(1, Volatile.Read(ref _data->Waiters)) : 1);

    internal void WakeWriters() =>
        SpaceWait.Wake(Interlocked.Increment(ref _space->Seq), Math.Max(1, Volatile.Read(ref _space->Waiters)));

    /// <summary>Blocks until <paramref name="condition"/> holds (true), is finished or times out (false).</summary>
    internal bool WaitForData<T>(ref T condition, TimeSpan spin, long timeoutMs, CancellationToken cancellationToken)
        where T : struct, IWaitCondition =>
        SpinThenSleep.Wait(ref condition, DataWait, &_data->Seq, &_data->Waiters, SpinTicks(spin), timeoutMs,
            static s => ((RingSignals)s!).WakeReaders(all: true), this, cancellationToken);

    /// <summary>Blocks until <paramref name="condition"/> holds (true), is finished or times out (false).</summary>
    internal bool WaitForSpace<T>(ref T condition, TimeSpan spin, long timeoutMs, CancellationToken cancellationToken)
        where T : struct, IWaitCondition =>
        SpinThenSleep.Wait(ref condition, SpaceWait, &_space->Seq, &_space->Waiters, SpinTicks(spin), timeoutMs,
            static s => ((RingSignals)s!).WakeWriters(), this, cancellationToken);

    /// <summary>
    /// Waits without a thread until <paramref name="poll"/> says so. Takes a reference on the mapping that the wait
    /// keeps until it ends, even past the caller's own close; the caller holds one while calling.
    /// </summary>
    internal Task<bool> WaitAsync(bool forData, Func<AsyncWaitPoll> poll, CancellationToken cancellationToken)
    {
        bool added = false;
        _handle.DangerousAddRef(ref added);
        return AsyncWaitHub.WaitAsync(new AsyncWait(this, forData, poll), -1, cancellationToken);
    }

    public void Dispose()
    {
        DataWait.Dispose();
        SpaceWait.Dispose();
    }

    private static long SpinTicks(TimeSpan spin) => (long)(spin.TotalSeconds * Stopwatch.Frequency);

    /// <summary>An async wait on one of the two lines, for <see cref="AsyncWaitHub"/>.</summary>
    private sealed class AsyncWait(RingSignals signals, bool forData, Func<AsyncWaitPoll> poll) : IAsyncWaitSource
    {
        public int* SeqWord => forData ? &signals._data->Seq : &signals._space->Seq;

        public int* WaitersWord => forData ? &signals._data->Waiters : &signals._space->Waiters;

        public WaitChannel Channel => forData ? signals.DataWait : signals.SpaceWait;

        public AsyncWaitPoll Poll() => poll();

        public void ReleaseWait() => signals._handle.Exit();
    }
}
