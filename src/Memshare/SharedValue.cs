using System.Diagnostics.CodeAnalysis;
using Memshare.Layout;
using Memshare.Platform;
using Memshare.Sync;

namespace Memshare;

/// <summary>
/// A named region holding one unmanaged <typeparamref name="T"/>, shared between processes: the typed
/// counterpart of <c>CAtlFileMapping&lt;T&gt;</c>. Opening it as another type fails with a message naming both.
/// </summary>
/// <remarks>
/// <para><see cref="Read"/> and <see cref="Write(in T)"/> are synchronised: a read returns a value some write
/// stored completely, readers never block writers, writers in different processes take turns, and a writer
/// killed mid-write leaves the previous value. <see cref="Value"/> is the raw view of the current value, for
/// code that does its own synchronisation; it is not protected against torn reads.</para>
/// </remarks>
/// <typeparam name="T">An unmanaged struct; every process must use the same definition. Its instance fields are kept
/// for reflection (trimming, NativeAOT) because its layout fingerprint is measured from them.</typeparam>
public sealed unsafe class SharedValue<[DynamicallyAccessedMembers(TypeFingerprint.Fields)] T> : IDisposable
    where T : unmanaged
{
    private static readonly ulong s_fingerprint = TypeFingerprint.Of<T>();
    private static readonly string s_typeName = TypeFingerprint.DisplayName(typeof(T));

    private readonly SharedMemory _region;
    private readonly RegionHandle _handle;
    private readonly Snapshot _snapshot;

    private SharedValue(SharedMemory region)
    {
        ref readonly RegionHeader h = ref RegionHeader.Validate(region, RegionKind.Value);
        if (h.Fingerprint != s_fingerprint || h.PayloadSize != (uint)sizeof(T))
        {
            string stored = ValueLayout.ReadTypeName(new ReadOnlySpan<byte>(region.RegionBase, ValueLayout.HeaderSize));
            ThrowHelper.ThrowFormat(region.Name, SR.ValueTypeMismatch, region.Name, stored, h.PayloadSize, h.Fingerprint,
                s_typeName, sizeof(T), s_fingerprint);
        }

        _region = region;
        _handle = region.Handle;
        _snapshot = new Snapshot(region.RegionBase, new SnapshotShape(ValueLayout.HeaderSize, (int)h.SlotStride, sizeof(T), LengthPrefixed: false));
    }

    /// <summary>The region's name.</summary>
    public string Name => _region.Name;

    /// <summary>Whether this value was opened read-only.</summary>
    public bool IsReadOnly => _region.IsReadOnly;

    /// <summary>How many times <see cref="Write(in T)"/> has published a value, in any process.</summary>
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

    /// <summary>
    /// A reference straight into the shared memory holding the current value (the seed's <c>operator T*</c>).
    /// Unsynchronised: another process may see a half-written value. After a <see cref="Write(in T)"/> the
    /// current value lives in the other slot, so fetch the reference again rather than keeping it.
    /// Valid until <see cref="Dispose"/>.
    /// </summary>
    public ref T Value
    {
        get
        {
            if (IsReadOnly && !_handle.IsDisposing)
            {
                ThrowHelper.ThrowReadOnly(Name);
            }

            return ref Current();
        }
    }

    /// <summary>A read-only reference to the current value; unsynchronised, like <see cref="Value"/>.</summary>
    public ref readonly T ReadOnlyValue
    {
        get => ref Current();
    }

    /// <summary>Creates the value, holding <paramref name="initialValue"/> before any other process can see it; throws <see cref="RegionExistsException"/> if the name exists.</summary>
    /// <param name="name">The region's name; see <see cref="RegionName"/> for the rule.</param>
    /// <param name="initialValue">The value other processes first see.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null.</param>
    public static SharedValue<T> CreateNew(string name, in T initialValue = default, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.CreateNew, initialValue, options, out _)!;

    /// <summary>Opens an existing value; throws <see cref="RegionNotFoundException"/> if there is none.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="options">Access (<see cref="SharedMemoryOptions.ReadOnly"/> for read-only), owner and namespace; defaults if null.</param>
    public static SharedValue<T> OpenExisting(string name, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.OpenExisting, default, options, out _) ?? throw new RegionNotFoundException(name);

    /// <summary>Opens an existing value; false only if it does not exist. A value of another type still throws.</summary>
    /// <inheritdoc cref="OpenExisting(string, SharedMemoryOptions?)"/>
    public static bool TryOpenExisting(string name, [NotNullWhen(true)] out SharedValue<T>? value, SharedMemoryOptions? options = null)
    {
        value = Open(name, RegionMode.OpenExisting, default, options, out _);
        return value is not null;
    }

    /// <summary>Opens the value, or creates it holding <paramref name="initialValue"/>, and says which happened.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="created">True if this call created the value.</param>
    /// <param name="initialValue">The value a new region holds; an existing value keeps its own.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null.</param>
    public static SharedValue<T> CreateOrOpen(string name, out bool created, in T initialValue = default, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.CreateOrOpen, initialValue, options, out created)!;

    /// <summary>Opens the value, or creates it holding <paramref name="initialValue"/>.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="initialValue">The value a new region holds; an existing value keeps its own.</param>
    /// <param name="options">Lifetime, permissions and namespace; defaults if null.</param>
    public static SharedValue<T> CreateOrOpen(string name, in T initialValue = default, SharedMemoryOptions? options = null) =>
        CreateOrOpen(name, out _, initialValue, options);

    /// <summary>Returns a copy of the current value that some writer stored completely. Never blocks a writer; allocates nothing.</summary>
    public T Read()
    {
        _handle.Enter(this);
        try
        {
            Unsafe.SkipInit(out T copy);
            _ = _snapshot.Read(new Span<byte>(&copy, sizeof(T)), out _, out _); // a live read always ends Copied
            return copy;
        }
        finally
        {
            _handle.Exit();
        }
    }

    /// <summary>Publishes <paramref name="value"/>. Waits for writers in other processes; recovers the lock if its owner died.</summary>
    public void Write(in T value)
    {
        _handle.Enter(this);
        try
        {
            if (IsReadOnly)
            {
                ThrowHelper.ThrowReadOnly(Name);
            }

            ulong s = _snapshot.BeginWrite(Name, out byte* slot, out _);
            Unsafe.WriteUnaligned(slot, value);
            _snapshot.EndWrite(s);
        }
        finally
        {
            _handle.Exit();
        }
    }

    /// <summary>
    /// Changes the value in place under the writer lock: <paramref name="update"/> receives a copy of the current
    /// value and edits it; the result is published as one write, so concurrent updates from other processes
    /// are never lost. If <paramref name="update"/> throws, nothing is published. Returns the new value.
    /// </summary>
    public T Update(SharedValueUpdater<T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        _handle.Enter(this);
        try
        {
            if (IsReadOnly)
            {
                ThrowHelper.ThrowReadOnly(Name);
            }

            ulong s = _snapshot.BeginWrite(Name, out byte* spare, out _);
            try
            {
                // Under the lock no other writer can touch the current slot, so this copy is untorn.
                T value = Unsafe.ReadUnaligned<T>(_snapshot.Slot(s));
                update(ref value);
                Unsafe.WriteUnaligned(spare, value);
                _snapshot.EndWrite(s);
                return value;
            }
            catch
            {
                _snapshot.AbortWrite();
                throw;
            }
        }
        finally
        {
            // A Dispose from inside update (or racing it on another thread) unmaps only here.
            _handle.Exit();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"SharedValue<{s_typeName}> '{Name}'";

    /// <summary>Closes this process's handle; the value disappears with its last holder unless persistent.</summary>
    public void Dispose() => _region.Dispose();

    private static SharedValue<T>? Open(string name, RegionMode mode, T initialValue, SharedMemoryOptions? options, out bool created) =>
        RegionWrapper.Open(name, mode, ValueLayout.TotalSize(sizeof(T)), options ?? SharedMemoryOptions.Default,
            memory => ValueLayout.Initialize(memory, sizeof(T), s_fingerprint, s_typeName, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in initialValue))),
            0, static (r, _) => new SharedValue<T>(r), out created);

    /// <summary>The current slot, located under a reference so a racing Dispose cannot unmap the sequence word we read.</summary>
    private ref T Current()
    {
        _handle.Enter(this);
        try
        {
            return ref Unsafe.AsRef<T>(_snapshot.Slot(_snapshot.Version));
        }
        finally
        {
            _handle.Exit();
        }
    }
}
