using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Memshare.Layout;
using Memshare.Platform;
using Memshare.Sync;

namespace Memshare;

/// <summary>
/// A named string slot with a fixed capacity in UTF-8 bytes, shared between processes: the seed DLL's
/// <c>SetSharedMem</c> / <c>GetSharedMem</c>, made safe.
/// </summary>
/// <remarks>
/// <see cref="Get()"/> always returns exactly a string some <see cref="Set(string)"/> wrote — never a mix of
/// two — even against writers in other processes, and even after a writer was killed mid-write. Writers in
/// different processes are serialised by a lock that is recovered if its owner dies. A string longer than
/// the capacity is rejected, not truncated.
/// </remarks>
public sealed unsafe class SharedString : IDisposable
{
    private readonly SharedMemory _region;
    private readonly RegionHandle _handle;
    private readonly Snapshot _snapshot;

    private SharedString(SharedMemory region)
    {
        ref readonly RegionHeader h = ref RegionHeader.Validate(region, RegionKind.String);

        _region = region;
        _handle = region.Handle;
        Capacity = (int)h.PayloadSize;
        _snapshot = new Snapshot(region.RegionBase, new SnapshotShape((int)h.HeaderSize, (int)h.SlotStride, Capacity, LengthPrefixed: true));
    }

    /// <summary>The slot's name.</summary>
    public string Name => _region.Name;

    /// <summary>The most UTF-8 bytes a string may have.</summary>
    public int Capacity { get; }

    /// <summary>Whether this slot was opened read-only.</summary>
    public bool IsReadOnly => _region.IsReadOnly;

    /// <summary>How many times the slot has been set, by any process.</summary>
    public long Version
    {
        get
        {
            _handle.Enter(this);
            try
            {
                return (long)_snapshot.Version;
            }
            finally
            {
                _handle.Exit();
            }
        }
    }

    /// <summary>Creates a string slot holding "" with room for <paramref name="capacity"/> UTF-8 bytes; throws <see cref="RegionExistsException"/> if the name exists.</summary>
    /// <param name="name">The region's name; see <see cref="RegionName"/> for the rule.</param>
    /// <param name="capacity">The most UTF-8 bytes the slot holds.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null.</param>
    public static SharedString CreateNew(string name, int capacity, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.CreateNew, capacity, options, out _)!;

    /// <summary>Opens an existing string slot; throws <see cref="RegionNotFoundException"/> if there is none.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="options">Access (<see cref="SharedMemoryOptions.ReadOnly"/> for read-only), owner and namespace; defaults if null.</param>
    public static SharedString OpenExisting(string name, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.OpenExisting, 0, options, out _) ?? throw new RegionNotFoundException(name);

    /// <summary>Opens an existing string slot; false only if it does not exist.</summary>
    /// <inheritdoc cref="OpenExisting(string, SharedMemoryOptions?)"/>
    public static bool TryOpenExisting(string name, [NotNullWhen(true)] out SharedString? slot, SharedMemoryOptions? options = null)
    {
        slot = Open(name, RegionMode.OpenExisting, 0, options, out _);
        return slot is not null;
    }

    /// <summary>
    /// Opens the slot, or creates it with <paramref name="capacity"/> bytes if absent, and says which happened. An
    /// existing slot keeps the capacity it was created with; see <see cref="Capacity"/>.
    /// </summary>
    /// <param name="name">The region's name.</param>
    /// <param name="capacity">The most UTF-8 bytes a new slot holds.</param>
    /// <param name="created">True if this call created the slot.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null.</param>
    public static SharedString CreateOrOpen(string name, int capacity, out bool created, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.CreateOrOpen, capacity, options, out created)!;

    /// <summary>Opens the slot, or creates it with <paramref name="capacity"/> bytes if absent.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="capacity">The most UTF-8 bytes a new slot holds.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null.</param>
    public static SharedString CreateOrOpen(string name, int capacity, SharedMemoryOptions? options = null) =>
        CreateOrOpen(name, capacity, out _, options);

    /// <summary>Stores <paramref name="value"/>. Throws <see cref="ArgumentException"/>, changing nothing, if it does not fit.</summary>
    public void Set(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > Capacity)
        {
            throw new ArgumentException(SR.Format(SR.StringTooLong, Name, bytes, Capacity), nameof(value));
        }

        byte[]? rented = null;
        Span<byte> buffer = bytes <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(bytes));
        try
        {
            int n = Encoding.UTF8.GetBytes(value, buffer);
            Set(buffer[..n]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Stores UTF-8 bytes as the new string. Throws <see cref="ArgumentException"/>, changing nothing, if they do not fit.</summary>
    public void Set(ReadOnlySpan<byte> utf8)
    {
        _handle.Enter(this);
        try
        {
            if (IsReadOnly)
            {
                ThrowHelper.ThrowReadOnly(Name);
            }

            if (utf8.Length > Capacity)
            {
                throw new ArgumentException(SR.Format(SR.StringTooLong, Name, utf8.Length, Capacity), nameof(utf8));
            }

            ulong s = _snapshot.BeginWrite(Name, out byte* slot, out _);
            BulkCopy.Copy(utf8, new Span<byte>(slot + StringLayout.LengthPrefix, utf8.Length));
            Unsafe.WriteUnaligned(slot, utf8.Length);
            _snapshot.EndWrite(s);
        }
        finally
        {
            _handle.Exit();
        }
    }

    /// <summary>Returns the current string: exactly one that some <see cref="Set(string)"/> stored.</summary>
    public string Get()
    {
        byte[]? rented = null;
        Span<byte> buffer = Capacity <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(Capacity));
        try
        {
            int n = Get(buffer);
            return Encoding.UTF8.GetString(buffer[..n]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Copies the current string's UTF-8 bytes into <paramref name="destination"/> without allocating and
    /// returns how many there are. <paramref name="destination"/> must hold <see cref="Capacity"/> bytes.
    /// </summary>
    public int Get(Span<byte> destination)
    {
        if (destination.Length < Capacity)
        {
            throw new ArgumentException(SR.Format(SR.StringDestinationSmall, destination.Length, Name, Capacity), nameof(destination));
        }

        _handle.Enter(this);
        try
        {
            return GetCore(destination);
        }
        finally
        {
            _handle.Exit();
        }
    }

    private int GetCore(Span<byte> destination)
    {
        if (_snapshot.Read(destination, out _, out int length) == SnapshotReadStatus.BadLength)
        {
            ThrowHelper.ThrowFormat(Name, SR.BadHeaderField, Name, $"the stored length {length} exceeds the capacity {Capacity}");
        }

        return length;
    }

    /// <inheritdoc/>
    public override string ToString() => $"SharedString '{Name}' (capacity {Capacity} bytes)";

    /// <summary>Closes this process's handle; the slot disappears with its last holder unless persistent.</summary>
    public void Dispose() => _region.Dispose();

    private static SharedString? Open(string name, RegionMode mode, int capacity, SharedMemoryOptions? options, out bool created)
    {
        if (mode != RegionMode.OpenExisting && capacity is <= 0 or > StringLayout.MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, SR.Format(SR.CapacityOutOfRange, name, capacity, StringLayout.MaxCapacity));
        }

        return RegionWrapper.Open(name, mode, StringLayout.TotalSize(capacity), options ?? SharedMemoryOptions.Default,
            memory => StringLayout.Initialize(memory, capacity), 0, static (r, _) => new SharedString(r), out created);
    }

}
