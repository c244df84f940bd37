using System.Diagnostics;
using Memshare.Layout;
using Memshare.Platform;
using Memshare.Sync;

namespace Memshare.Channels;

/// <summary>
/// The channel's two wait lines: readers wait for data, writers for space. The only place the channel calls the
/// wait primitives (<see cref="SpinThenSleep"/> over a <see cref="WakeWord"/>, <see cref="AsyncWaitHub"/>), so they
/// can be replaced in one spot.
/// </summary>
internal sealed unsafe class RingSignals : IDisposable
{
    private readonly WakeWord _data;
    private readonly WakeWord _space;
    private readonly RegionHandle _handle;

    internal RingSignals(byte* regionBase, string name, bool globalNamespace, RegionHandle handle)
    {
        var data = (WaitWord*)(regionBase + ChannelLayout.DataWaitLine);
        var space = (WaitWord*)(regionBase + ChannelLayout.SpaceWaitLine);
        _handle = handle;
        _data = new WakeWord(new WaitChannel(&data->Seq, name, ChannelLayout.DataWaitLine, globalNamespace), &data->Seq, &data->Waiters);
        _space = new WakeWord(new WaitChannel(&space->Seq, name, ChannelLayout.SpaceWaitLine, globalNamespace), &space->Seq, &space->Waiters);
    }

    /// <summary>
    /// Readers asleep (or about to be) waiting for data; read right after the release store that published the data,
    /// with no full fence between: a sleeper's looks right after its announcement cover the race
    /// (<see cref="SpinThenSleep.RaceWindowMicroseconds"/>).
    /// </summary>
    internal bool ReadersWaiting => Volatile.Read(ref *_data.Waiters) != 0;

    /// <summary>Writers asleep (or about to be) waiting for space; read as <see cref="ReadersWaiting"/>, after the store that published the space.</summary>
    internal bool WritersWaiting => Volatile.Read(ref *_space.Waiters) != 0;

    internal void WakeReaders(bool all) => _data.Wake(all);

    internal void WakeWriters() => _space.Wake(all: true);

    /// <summary>
    /// Blocks until <paramref name="condition"/> holds (true), is finished or times out (false), with
    /// <paramref name="pausesPerLook"/> CPU pauses between looks while it spins.
    /// </summary>
    internal bool WaitForData<T>(ref T condition, TimeSpan spin, long timeoutMs, int pausesPerLook, CancellationToken cancellationToken)
        where T : struct, IWaitCondition =>
        Wait(ref condition, _data, spin, timeoutMs, static s => ((RingSignals)s!).WakeReaders(all: true), pausesPerLook, cancellationToken);

    /// <summary>Blocks until <paramref name="condition"/> holds (true), is finished or times out (false).</summary>
    internal bool WaitForSpace<T>(ref T condition, TimeSpan spin, long timeoutMs, CancellationToken cancellationToken)
        where T : struct, IWaitCondition =>
        Wait(ref condition, _space, spin, timeoutMs, static s => ((RingSignals)s!).WakeWriters(), pausesPerLook: 1, cancellationToken);

    /// <summary>
    /// The async wait source of one reader or writer, made once and reused by every wait it starts (the hub pools the
    /// operations, so a steady stream of waits allocates nothing). <paramref name="poll"/> gets the wait's argument.
    /// </summary>
    internal IAsyncWaitSource CreateAsyncSource(bool forData, Func<int, AsyncWaitPoll> poll) => new AsyncWait(this, forData, poll);

    /// <summary>
    /// Waits without a thread until <paramref name="source"/>'s poll says so. Takes a reference on the mapping that
    /// the wait keeps until it ends, even past the caller's own close; the caller holds one while calling.
    /// </summary>
    internal ValueTask<bool> WaitAsync(IAsyncWaitSource source, int argument, CancellationToken cancellationToken)
    {
        bool added = false;
        _handle.DangerousAddRef(ref added);
        return AsyncWaitHub.WaitAsync(source, argument, -1, cancellationToken);
    }

    public void Dispose()
    {
        _data.Channel.Dispose();
        _space.Channel.Dispose();
    }

    /// <summary>The one wait loop, on <paramref name="word"/>; hands the condition back, which may record why the wait ended.</summary>
    private bool Wait<T>(ref T condition, WakeWord word, TimeSpan spin, long timeoutMs, Action<object?> wakeAll, int pausesPerLook,
        CancellationToken cancellationToken)
        where T : struct, IWaitCondition
    {
        var wait = new OnWord<T>(condition, word);
        try
        {
            return SpinThenSleep.Wait(ref wait, (long)(spin.TotalSeconds * Stopwatch.Frequency), timeoutMs, wakeAll, this, cancellationToken, pausesPerLook);
        }
        finally
        {
            condition = wait.Condition;
        }
    }

    /// <summary>An async wait on one of the two lines, for <see cref="AsyncWaitHub"/>.</summary>
    private sealed class AsyncWait(RingSignals signals, bool forData, Func<int, AsyncWaitPoll> poll) : IAsyncWaitSource
    {
        public int* SeqWord => forData ? signals._data.Seq : signals._space.Seq;

        public int* WaitersWord => forData ? signals._data.Waiters : signals._space.Waiters;

        public WaitChannel Channel => forData ? signals._data.Channel : signals._space.Channel;

        public AsyncWaitPoll Poll(int argument) => poll(argument);

        public void ReleaseWait() => signals._handle.Exit();
    }
}
