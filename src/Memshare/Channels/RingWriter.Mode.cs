namespace Memshare.Channels;

/// <summary>
/// How one channel mode writes: a struct that <see cref="RingWriter{TMode}"/> is specialised for, so each mode's
/// hot path is compiled with only its own steps (as System.Threading.Channels has one class per mode).
/// </summary>
internal interface IWriterMode
{
    /// <summary>Multi-producer: the writer lock is taken per message (claim to commit), not for the writer's lifetime.</summary>
    static abstract bool LocksPerMessage { get; }

    /// <summary>Broadcast: a commit wakes every sleeping reader, not one.</summary>
    static abstract bool WakesAllReaders { get; }

    /// <summary>Makes the ring writable up to <paramref name="end"/>; false if a reader still needs those bytes.</summary>
    static abstract bool Reserve(RingWriter writer, long end);

    /// <summary>The position no write may pass.</summary>
    static abstract long SlowestReader(RingWriter writer);

    /// <summary>Whether a message of <paramref name="length"/> bytes may fit now (a wait's condition).</summary>
    static abstract bool HasSpace(RingWriter writer, int length);
}

/// <summary>One writer and one reader; the writer waits for the reader.</summary>
internal readonly struct SingleProducerMode : IWriterMode
{
    public static bool LocksPerMessage => false;

    public static bool WakesAllReaders => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Reserve(RingWriter writer, long end) => writer.ReserveBehindReaders(end);

    public static long SlowestReader(RingWriter writer) => writer.SlowestSingleReader();

    public static bool HasSpace(RingWriter writer, int length) => writer.HasOwnSpace(length);
}

/// <summary>Many writers, each holding the writer lock from claim to commit, and one reader.</summary>
internal readonly struct MultiProducerMode : IWriterMode
{
    public static bool LocksPerMessage => true;

    public static bool WakesAllReaders => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Reserve(RingWriter writer, long end) => writer.ReserveLocked(end);

    public static long SlowestReader(RingWriter writer) => writer.SlowestSingleReader();

    public static bool HasSpace(RingWriter writer, int length) => writer.HasSharedSpace(length);
}

/// <summary>One writer and many readers; the writer waits for the slowest attached reader.</summary>
internal readonly struct BroadcastMode : IWriterMode
{
    public static bool LocksPerMessage => false;

    public static bool WakesAllReaders => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Reserve(RingWriter writer, long end) => writer.ReserveBehindReaders(end);

    public static long SlowestReader(RingWriter writer) => writer.SlowestAttachedReader();

    public static bool HasSpace(RingWriter writer, int length) => writer.HasOwnSpace(length);
}

/// <summary>One writer that never waits and many readers; a lapped reader skips ahead and counts what it lost.</summary>
internal readonly struct OverrunMode : IWriterMode
{
    public static bool LocksPerMessage => false;

    public static bool WakesAllReaders => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Reserve(RingWriter writer, long end) => writer.AnnounceClaim(end);

    public static long SlowestReader(RingWriter writer) => writer.NoReader();

    public static bool HasSpace(RingWriter writer, int length) => true;
}
