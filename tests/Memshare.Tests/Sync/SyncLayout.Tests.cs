using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Memshare.Layout;

namespace Memshare.Tests.Sync;

/// <summary>
/// Pins the lock and event layouts (LockLayout.cs, EventLayout.cs) that the Sync tests poke from outside:
/// the waiter counts they wait on and the Signaled word a "notifier killed after publishing" writes.
/// </summary>
public sealed class SyncLayoutTests
{
    [Theory]
    [InlineData(nameof(LockState.Owner), 0)]
    [InlineData(nameof(LockState.WakeSeq), 8)]
    [InlineData(nameof(LockState.Waiters), 12)]
    [InlineData(nameof(LockState.Recoveries), 16)]
    public void LockState_FieldOffsets_MatchLayout(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<LockState>(field));

    [Theory]
    [InlineData(nameof(EventState.Signaled), 0)]
    [InlineData(nameof(EventState.Generation), 4)]
    [InlineData(nameof(EventState.Waiters), 8)]
    [InlineData(nameof(EventState.Mode), 12)]
    public void EventState_FieldOffsets_MatchLayout(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<EventState>(field));

    [Fact]
    public void SyncStates_SizesAndRegionOffsets_MatchTestConstants()
    {
        Assert.Equal(64, Unsafe.SizeOf<LockState>());
        Assert.Equal(64, Unsafe.SizeOf<EventState>());
        Assert.Equal(128, LockState.TotalSize);
        Assert.Equal(128, EventState.TotalSize);
        Assert.Equal(SyncTest.LockOwner, LockState.Offset + (int)Marshal.OffsetOf<LockState>(nameof(LockState.Owner)));
        Assert.Equal(SyncTest.LockWaiters, LockState.Offset + (int)Marshal.OffsetOf<LockState>(nameof(LockState.Waiters)));
        Assert.Equal(SyncTest.EventSignaled, EventState.Offset + (int)Marshal.OffsetOf<EventState>(nameof(EventState.Signaled)));
        Assert.Equal(SyncTest.EventGeneration, EventState.Offset + (int)Marshal.OffsetOf<EventState>(nameof(EventState.Generation)));
        Assert.Equal(SyncTest.EventWaiters, EventState.Offset + (int)Marshal.OffsetOf<EventState>(nameof(EventState.Waiters)));
    }
}
