using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Memshare.Layout;
using Memshare.Platform;
using Memshare.Sync;

namespace Memshare;

/// <summary>
/// A named, zero-copy message channel in shared memory: variable-length byte messages in a ring, ordered,
/// lossless (unless a broadcast channel is created to overrun slow readers) and crash-safe. Split into a
/// <see cref="SharedChannelWriter"/> and <see cref="SharedChannelReader"/>, as in System.Threading.Channels.
/// </summary>
/// <remarks>
/// <para>A message becomes visible only when completely written: a record's tag is stored last, with release
/// semantics, and a reader accepts a record only if its tag matches the position it expects. A writer killed
/// mid-message leaves an uncommitted record that nobody reads and the next writer overwrites.</para>
/// <para>Each reader's position lives in shared memory and moves past a message only when the read call
/// returns it, so a reader that dies and comes back (with the same reader index) resumes at its first
/// unconsumed message, with no loss and no duplicate.</para>
/// <para>Positions and headers read from shared memory are checked before use; a corrupt value gives
/// <see cref="RegionFormatException"/>, never an out-of-bounds access.</para>
/// </remarks>
public sealed unsafe class SharedChannel : IDisposable
{
    private readonly SharedMemory _region;
    private readonly RegionHandle _handle;

    private SharedChannel(SharedMemory region, bool globalNamespace)
    {
        _region = region;
        string name = region.Name;
        ref readonly RegionHeader h = ref RegionHeader.Validate(region, RegionKind.Channel);
        ref readonly ChannelConfig config = ref Unsafe.AsRef<ChannelConfig>(region.RegionBase + ChannelLayout.ModeOffset);
        int capacity = (int)Math.Min(h.PayloadSize, int.MaxValue);
        int maxReaders = config.MaxReaders;
        if (capacity < ChannelLayout.MinCapacity || capacity > ChannelLayout.MaxCapacity || !BitOperations.IsPow2(capacity)
            || maxReaders is < 1 or > ChannelLayout.MaxReadersLimit || config.Mode is < 0 or > 2 || config.Overflow is < 0 or > 1
            || config.MaxMessage != ChannelLayout.MaxMessage(capacity) || h.HeaderSize != ChannelLayout.DataOffset(maxReaders)
            || h.TotalSize != ChannelLayout.TotalSize(capacity, maxReaders))
        {
            ThrowHelper.ThrowFormat(name, SR.BadHeaderField, name,
                $"capacity {h.PayloadSize}, mode {config.Mode}, readers {maxReaders} and sizes {h.HeaderSize}/{h.TotalSize} do not form a valid channel");
        }

        Capacity = capacity;
        MaxReaders = maxReaders;
        Mode = (ChannelMode)config.Mode;
        Overflow = (ChannelOverflow)config.Overflow;
        MaxMessageLength = config.MaxMessage;
        Salt = h.Fingerprint;
        Base = region.RegionBase;
        Data = Base + h.HeaderSize;
        DataWait = new WaitChannel(&Wait(ChannelLayout.DataWaitLine)->Seq, name, ChannelLayout.DataWaitLine, globalNamespace);
        SpaceWait = new WaitChannel(&Wait(ChannelLayout.SpaceWaitLine)->Seq, name, ChannelLayout.SpaceWaitLine, globalNamespace);
        _handle = region.Handle;
        _handle.RunBeforeRelease(() =>
        {
            DataWait.Dispose();
            SpaceWait.Dispose();
        });
    }

    /// <summary>The channel's name.</summary>
    public string Name => _region.Name;

    /// <summary>The ring's size in bytes.</summary>
    public int Capacity { get; }

    /// <summary>The largest message, in bytes, a writer may send.</summary>
    public int MaxMessageLength { get; }

    /// <summary>Single-producer, multi-producer or broadcast.</summary>
    public ChannelMode Mode { get; }

    /// <summary>Broadcast only: whether slow readers hold back the writer or lose messages.</summary>
    public ChannelOverflow Overflow { get; }

    /// <summary>How many readers may attach (1 unless broadcast).</summary>
    public int MaxReaders { get; }

    /// <summary>Messages committed so far, by every writer.</summary>
    public long MessagesWritten
    {
        get
        {
            Enter();
            try
            {
                return Volatile.Read(ref Writer->Messages);
            }
            finally
            {
                Exit();
            }
        }
    }

    /// <summary>Whether a writer has called <see cref="SharedChannelWriter.Complete"/> and no writer has attached since.</summary>
    public bool IsCompleted
    {
        get
        {
            Enter();
            try
            {
                return Completed;
            }
            finally
            {
                Exit();
            }
        }
    }

    /// <summary><see cref="IsCompleted"/> for a writer or reader, whose own reference keeps the mapping.</summary>
    internal bool Completed => Volatile.Read(ref Writer->Completed) != 0;

    internal byte* Base { get; }

    internal byte* Data { get; }

    internal ulong Salt { get; }

    internal long Mask => Capacity - 1;

    internal WaitChannel DataWait { get; }

    internal WaitChannel SpaceWait { get; }

    internal ChannelWriterState* Writer => (ChannelWriterState*)(Base + ChannelLayout.WriterLine);

    internal ulong* WriterLock => (ulong*)(Base + ChannelLayout.WriterLockLine);

    internal ChannelReaderState* Reader(int index) => (ChannelReaderState*)(Base + ChannelLayout.ReadersOffset + (index * ChannelLayout.ReaderStride));

    internal WaitWord* Wait(int line) => (WaitWord*)(Base + line);

    /// <summary>Opens the named channel, creating it with <paramref name="options"/> if absent.</summary>
    public static SharedChannel CreateOrOpen(string name, SharedChannelOptions? options = null) => CreateOrOpen(name, out _, options);

    /// <summary>Opens the named channel, creating it with <paramref name="options"/> if absent, and says which happened.</summary>
    public static SharedChannel CreateOrOpen(string name, out bool created, SharedChannelOptions? options = null)
    {
        options ??= new SharedChannelOptions();
        ThrowHelper.RequireWriteAccess(options.Region, nameof(SharedChannel), name, SR.ChannelWrites);
        int capacity = options.Capacity;
        if (capacity < ChannelLayout.MinCapacity || capacity > ChannelLayout.MaxCapacity || !BitOperations.IsPow2(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(options), capacity, SR.Format(SR.ChannelCapacity, name, capacity));
        }

        int maxReaders = options.Mode == ChannelMode.Broadcast ? options.MaxReaders : 1;
        if (maxReaders is < 1 or > ChannelLayout.MaxReadersLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxReaders, SR.Format(SR.ChannelReaders, name, options.MaxReaders, ChannelLayout.MaxReadersLimit));
        }

        if (!Enum.IsDefined(options.Mode) || !Enum.IsDefined(options.Overflow))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Unknown channel mode or overflow policy.");
        }

        ulong salt = (ulong)Random.Shared.NextInt64() | 1;
        SharedMemoryOptions regionOptions = options.Region with
        {
            ViewOffset = 0,
            ViewLength = null,
            Initializer = memory =>
            {
                RegionHeader.Write(memory, RegionKind.Channel, ChannelLayout.DataOffset(maxReaders), ChannelLayout.TotalSize(capacity, maxReaders));
                ref RegionHeader h = ref MemoryMarshal.AsRef<RegionHeader>(memory);
                h.PayloadSize = (uint)capacity;
                h.Fingerprint = salt;
                ref ChannelConfig config = ref MemoryMarshal.AsRef<ChannelConfig>(memory[ChannelLayout.ModeOffset..]);
                config.Mode = (int)options.Mode;
                config.MaxReaders = maxReaders;
                config.Overflow = options.Mode == ChannelMode.Broadcast ? (int)options.Overflow : 0;
                config.MaxMessage = ChannelLayout.MaxMessage(capacity);
            },
        };
        SharedMemory region = SharedMemory.Open(name, RegionMode.CreateOrOpen, ChannelLayout.TotalSize(capacity, maxReaders), regionOptions, headerChecksSize: true)!;
        created = region.Created;
        return RegionWrapper.Wrap(region, regionOptions.WindowsGlobalNamespace, static (r, g) => new SharedChannel(r, g));
    }

    /// <summary>Opens an existing channel; throws <see cref="RegionNotFoundException"/> if there is none.</summary>
    public static SharedChannel OpenExisting(string name, SharedMemoryOptions? options = null) =>
        TryOpenExisting(name, out SharedChannel? channel, options) ? channel : throw new RegionNotFoundException(name);

    /// <summary>Opens an existing channel; false only if it does not exist.</summary>
    public static bool TryOpenExisting(string name, [NotNullWhen(true)] out SharedChannel? channel, SharedMemoryOptions? options = null)
    {
        options ??= SharedMemoryOptions.Default;
        ThrowHelper.RequireWriteAccess(options, nameof(SharedChannel), name, SR.ChannelWrites);
        channel = SharedMemory.TryOpenExisting(name, out SharedMemory? region, options with { ViewOffset = 0, ViewLength = null })
            ? RegionWrapper.Wrap(region, options.WindowsGlobalNamespace, static (r, g) => new SharedChannel(r, g))
            : null;
        return channel is not null;
    }

    /// <summary>
    /// Takes the writer role. Single-producer and broadcast channels have one writer at a time: this throws
    /// <see cref="InvalidOperationException"/> while another live process (or handle) writes, and takes the role
    /// over from a writer that died. Multi-producer channels accept any number of writers.
    /// </summary>
    public SharedChannelWriter CreateWriter() => new(this);

    /// <summary>
    /// Attaches reader <paramref name="index"/> (0 to <see cref="MaxReaders"/> − 1). A reader index is a durable
    /// identity: its position survives the process, so reattaching the same index resumes where it stopped.
    /// A fresh broadcast reader starts at the newest position. Throws <see cref="InvalidOperationException"/>
    /// while another live process holds that index.
    /// </summary>
    public SharedChannelReader CreateReader(int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, MaxReaders);
        return new SharedChannelReader(this, index);
    }

    /// <inheritdoc/>
    public override string ToString() => $"SharedChannel '{Name}' ({Mode}, {Capacity} bytes)";

    /// <summary>Closes this handle once its writers and readers are disposed; the region goes with its last holder unless persistent.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>Takes a reference on the mapping; <see cref="ObjectDisposedException"/> once this channel is disposed.</summary>
    internal void Enter() => _handle.Enter(this);

    /// <summary>
    /// Takes a reference on the mapping for a writer or reader that already holds one (so it cannot fail), even
    /// after this channel's own <see cref="Dispose"/>: an async wait keeps it until it ends.
    /// </summary>
    internal void AddRef()
    {
        bool added = false;
        _handle.DangerousAddRef(ref added);
    }

    /// <summary>Drops a reference that <see cref="Enter"/> or <see cref="AddRef"/> took.</summary>
    internal void Exit() => _handle.Exit();

    /// <summary>Takes a reference unless the mapping is already gone (to wake waiters from a Dispose).</summary>
    internal bool TryAddRef() => _handle.TryEnter();

    /// <summary>
    /// The end of the committed records from <paramref name="position"/> on: past every record whose tag is
    /// valid. It can lie beyond the published writer position when a writer died between storing a record's
    /// tag and publishing the position. Bounded by one lap, so a corrupt ring cannot make it loop.
    /// </summary>
    internal long CommittedEnd(long position)
    {
        for (long scanned = 0; scanned < Capacity; )
        {
            long offset = position & Mask;
            RecordHeader* header = (RecordHeader*)(Data + offset);
            if (Volatile.Read(ref header->Tag) != ((ulong)position ^ Salt))
            {
                break;
            }

            int length = header->Length;
            long size = length == ChannelLayout.PaddingLength ? Capacity - offset : ChannelLayout.RecordSize(length);
            if (length != ChannelLayout.PaddingLength && ((uint)length > (uint)MaxMessageLength || offset + size > Capacity))
            {
                break;
            }

            position += size;
            scanned += size;
        }

        return position;
    }

    /// <summary>Throws the typed error for a position or record that cannot be right.</summary>
    [DoesNotReturn]
    internal void ThrowCorrupt(string what) => ThrowHelper.ThrowFormat(Name, SR.BadHeaderField, Name, what);

    internal void WakeReaders(bool all)
    {
        WaitWord* w = Wait(ChannelLayout.DataWaitLine);
        DataWait.Wake(Interlocked.Increment(ref w->Seq), all ? Math.Max(1, Volatile.Read(ref w->Waiters)) : 1);
    }

    internal void WakeWriters()
    {
        WaitWord* w = Wait(ChannelLayout.SpaceWaitLine);
        SpaceWait.Wake(Interlocked.Increment(ref w->Seq), Math.Max(1, Volatile.Read(ref w->Waiters)));
    }
}
