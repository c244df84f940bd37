using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Memshare.Channels;
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
/// <para>The protocol lives in the ring engine (src/Memshare/Channels); this type and its writer and reader hold
/// the mapping and check arguments.</para>
/// </remarks>
public sealed unsafe class SharedChannel : IDisposable
{
    private readonly SharedMemory _region;
    private readonly RegionHandle _handle;

    private SharedChannel(SharedMemory region, bool globalNamespace)
    {
        _region = region;
        ref readonly RegionHeader h = ref RegionHeader.Validate(region, RegionKind.Channel);
        Geometry = ChannelGeometry.Decode(region.Name, h, Unsafe.AsRef<ChannelConfig>(region.RegionBase + ChannelLayout.ModeOffset));
        Ring = new RingView(region.RegionBase, Geometry, h.Fingerprint, region.Name);
        _handle = region.Handle;
        Signals = new RingSignals(region.RegionBase, region.Name, globalNamespace, _handle);
        RingSignals signals = Signals;
        _handle.RunBeforeRelease(signals.Dispose);
    }

    /// <summary>The channel's name.</summary>
    public string Name => _region.Name;

    /// <summary>The ring's size in bytes.</summary>
    public int Capacity => Geometry.Capacity;

    /// <summary>The largest message, in bytes, a writer may send.</summary>
    public int MaxMessageLength => Geometry.MaxMessage;

    /// <summary>Single-producer, multi-producer or broadcast.</summary>
    public ChannelMode Mode => Geometry.Mode;

    /// <summary>Broadcast only: whether slow readers hold back the writer or lose messages.</summary>
    public ChannelOverflow Overflow => Geometry.Overflow;

    /// <summary>How many readers may attach (1 unless broadcast).</summary>
    public int MaxReaders => Geometry.MaxReaders;

    /// <summary>Messages committed so far, by every writer.</summary>
    public long MessagesWritten
    {
        get
        {
            Enter();
            try
            {
                return Volatile.Read(ref Ring.Writer->Messages);
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
                return Volatile.Read(ref Ring.Writer->Completed) != 0;
            }
            finally
            {
                Exit();
            }
        }
    }

    internal ChannelGeometry Geometry { get; }

    /// <summary>The mapped ring; valid while a reference on the mapping is held.</summary>
    internal RingView Ring { get; }

    internal RingSignals Signals { get; }

    // Views of the control block for white-box tests and tools.
    internal byte* Base => Ring.Base;

    internal byte* Data => Ring.Data;

    internal ulong Salt => Ring.Salt;

    internal long Mask => Ring.Mask;

    internal ChannelWriterState* Writer => Ring.Writer;

    internal ulong* WriterLock => Ring.WriterLock;

    internal ChannelReaderState* Reader(int index) => Ring.Reader(index);

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

    /// <summary>Drops a reference that <see cref="Enter"/> took.</summary>
    internal void Exit() => _handle.Exit();

    /// <summary>Takes a reference unless the mapping is already gone (to wake waiters from a Dispose).</summary>
    internal bool TryAddRef() => _handle.TryEnter();
}
