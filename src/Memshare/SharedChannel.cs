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

    /// <summary>Creates the named channel; throws <see cref="RegionExistsException"/> if the name exists.</summary>
    /// <param name="name">The region's name; see <see cref="RegionName"/> for the rule.</param>
    /// <param name="channelOptions">Capacity, mode, readers and overflow; defaults if null.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null. A channel needs read-write access.</param>
    public static SharedChannel CreateNew(string name, SharedChannelOptions? channelOptions = null, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.CreateNew, channelOptions, options, out _)!;

    /// <summary>Opens an existing channel, with the settings it was created with; throws <see cref="RegionNotFoundException"/> if there is none.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="options">Owner and namespace; defaults if null. A channel needs read-write access.</param>
    public static SharedChannel OpenExisting(string name, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.OpenExisting, null, options, out _) ?? throw new RegionNotFoundException(name);

    /// <summary>Opens an existing channel; false only if it does not exist.</summary>
    /// <inheritdoc cref="OpenExisting(string, SharedMemoryOptions?)"/>
    public static bool TryOpenExisting(string name, [NotNullWhen(true)] out SharedChannel? channel, SharedMemoryOptions? options = null)
    {
        channel = Open(name, RegionMode.OpenExisting, null, options, out _);
        return channel is not null;
    }

    /// <summary>Opens the named channel, creating it with <paramref name="channelOptions"/> if absent, and says which happened. An existing channel keeps its settings.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="created">True if this call created the channel.</param>
    /// <param name="channelOptions">Capacity, mode, readers and overflow of a new channel; defaults if null.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null. A channel needs read-write access.</param>
    public static SharedChannel CreateOrOpen(string name, out bool created, SharedChannelOptions? channelOptions = null, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.CreateOrOpen, channelOptions, options, out created)!;

    /// <summary>Opens the named channel, creating it with <paramref name="channelOptions"/> if absent. An existing channel keeps its settings.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="channelOptions">Capacity, mode, readers and overflow of a new channel; defaults if null.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null. A channel needs read-write access.</param>
    public static SharedChannel CreateOrOpen(string name, SharedChannelOptions? channelOptions = null, SharedMemoryOptions? options = null) =>
        CreateOrOpen(name, out _, channelOptions, options);

    private static SharedChannel? Open(string name, RegionMode mode, SharedChannelOptions? channelOptions, SharedMemoryOptions? options, out bool created)
    {
        options ??= SharedMemoryOptions.Default;
        ThrowHelper.RequireWriteAccess(options, nameof(SharedChannel), name, SR.ChannelWrites);
        channelOptions ??= SharedChannelOptions.Default;
        int capacity = channelOptions.Capacity;
        int maxReaders = channelOptions.Mode == ChannelMode.Broadcast ? channelOptions.MaxReaders : 1;
        if (mode != RegionMode.OpenExisting)
        {
            ValidateSettings(name, channelOptions, maxReaders);
        }

        ulong salt = (ulong)Random.Shared.NextInt64() | 1;
        return RegionWrapper.Open(name, mode, ChannelLayout.TotalSize(capacity, maxReaders), options,
            memory =>
            {
                RegionHeader.Write(memory, RegionKind.Channel, ChannelLayout.DataOffset(maxReaders), ChannelLayout.TotalSize(capacity, maxReaders));
                ref RegionHeader h = ref MemoryMarshal.AsRef<RegionHeader>(memory);
                h.PayloadSize = (uint)capacity;
                h.Fingerprint = salt;
                ref ChannelConfig config = ref MemoryMarshal.AsRef<ChannelConfig>(memory[ChannelLayout.ModeOffset..]);
                config.Mode = (int)channelOptions.Mode;
                config.MaxReaders = maxReaders;
                config.Overflow = channelOptions.Mode == ChannelMode.Broadcast ? (int)channelOptions.Overflow : 0;
                config.MaxMessage = ChannelLayout.MaxMessage(capacity);
            },
            options.WindowsGlobalNamespace, static (r, g) => new SharedChannel(r, g), out created);
    }

    private static void ValidateSettings(string name, SharedChannelOptions channelOptions, int maxReaders)
    {
        int capacity = channelOptions.Capacity;
        if (capacity < ChannelLayout.MinCapacity || capacity > ChannelLayout.MaxCapacity || !BitOperations.IsPow2(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(channelOptions), capacity, SR.Format(SR.ChannelCapacity, name, capacity));
        }

        if (maxReaders is < 1 or > ChannelLayout.MaxReadersLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(channelOptions), channelOptions.MaxReaders, SR.Format(SR.ChannelReaders, name, channelOptions.MaxReaders, ChannelLayout.MaxReadersLimit));
        }

        if (!Enum.IsDefined(channelOptions.Mode))
        {
            throw new ArgumentOutOfRangeException(nameof(channelOptions), channelOptions.Mode, SR.Format(SR.ChannelModeUnknown, name, channelOptions.Mode));
        }

        if (!Enum.IsDefined(channelOptions.Overflow))
        {
            throw new ArgumentOutOfRangeException(nameof(channelOptions), channelOptions.Overflow, SR.Format(SR.ChannelOverflowUnknown, name, channelOptions.Overflow));
        }
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
