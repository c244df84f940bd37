using System.Diagnostics.CodeAnalysis;
using Memshare.Platform;

namespace Memshare;

/// <summary>
/// A named region of memory shared between processes on the same machine: the cross-platform counterpart of
/// a Windows named file mapping (<c>CreateFileMapping</c> + <c>MapViewOfFile</c>, ATL's <c>CAtlFileMapping</c>).
/// </summary>
/// <remarks>
/// <para>Spans and pointers from a region are valid until <see cref="Dispose"/>; using them afterwards is
/// undefined, and so is using them once the <see cref="SharedMemory"/> is unreachable: a region nobody disposed is
/// released by its finalizer. Other members throw <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.</para>
/// <para>A new region reads as zeros. By default a region is <see cref="SharedMemoryLifetime.Scoped"/>: it
/// disappears when the last process holding it closes it or dies.</para>
/// <para>Never shrink a region's backing file from outside: on Linux, touching a page past the end of a
/// truncated file raises SIGBUS, which .NET cannot catch. Memshare refuses to open a truncated region.</para>
/// </remarks>
public sealed unsafe class SharedMemory : IDisposable
{
    private readonly RegionHandle _handle;
    private readonly byte* _view;

    private SharedMemory(string name, OsRegion region, long viewOffset, long viewLength, bool readOnly)
    {
        Name = name;
        _handle = new RegionHandle(region);
        _view = region.Base + viewOffset;
        Offset = viewOffset;
        Size = viewLength;
        RegionSize = region.Length;
        IsReadOnly = readOnly;
        IsPersistent = region.Persistent;
    }

    /// <summary>The region's name (for a file-backed region, the file's path).</summary>
    public string Name { get; }

    /// <summary>Bytes in this view.</summary>
    public long Size { get; }

    /// <summary>Where this view starts within the region, in bytes.</summary>
    public long Offset { get; }

    /// <summary>Bytes in the whole region. On Windows an opened region reports its size rounded up to pages.</summary>
    public long RegionSize { get; }

    /// <summary>Whether this view was opened with <see cref="SharedMemoryAccess.Read"/>.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Whether the region outlives its holders (<see cref="SharedMemoryLifetime.Persistent"/>).</summary>
    public bool IsPersistent { get; }

    /// <summary>The view as writable bytes. Throws if the view is read-only or larger than 2 GiB.</summary>
    public Span<byte> Span
    {
        get
        {
            ThrowIfDisposed();
            if (IsReadOnly)
            {
                ThrowHelper.ThrowReadOnly(Name);
            }

            if (Size > int.MaxValue)
            {
                ThrowHelper.ThrowTooLargeForSpan(Name, Size);
            }

            return new Span<byte>(_view, (int)Size);
        }
    }

    /// <summary>The view as read-only bytes. Throws if the view is larger than 2 GiB.</summary>
    public ReadOnlySpan<byte> ReadOnlySpan
    {
        get
        {
            ThrowIfDisposed();
            if (Size > int.MaxValue)
            {
                ThrowHelper.ThrowTooLargeForSpan(Name, Size);
            }

            return new ReadOnlySpan<byte>(_view, (int)Size);
        }
    }

    /// <summary>The start of the view, for unsafe code. Valid until <see cref="Dispose"/>; nothing checks bounds or access.</summary>
    public byte* DangerousGetPointer()
    {
        ThrowIfDisposed();
        return _view;
    }

    /// <summary>Writable bytes <paramref name="offset"/> .. <paramref name="offset"/> + <paramref name="length"/> of the view.</summary>
    public Span<byte> GetSpan(long offset, int length)
    {
        CheckRange(offset, length);
        if (IsReadOnly)
        {
            ThrowHelper.ThrowReadOnly(Name);
        }

        return new Span<byte>(_view + offset, length);
    }

    /// <summary>Read-only bytes <paramref name="offset"/> .. <paramref name="offset"/> + <paramref name="length"/> of the view.</summary>
    public ReadOnlySpan<byte> GetReadOnlySpan(long offset, int length)
    {
        CheckRange(offset, length);
        return new ReadOnlySpan<byte>(_view + offset, length);
    }

    /// <summary>
    /// A reference to an unmanaged <typeparamref name="T"/> at <paramref name="offset"/> in the view, with no
    /// header and no checks beyond bounds: the raw equivalent of <c>CAtlFileMapping&lt;T&gt;::operator T*</c>.
    /// Prefer <see cref="SharedValue{T}"/>, which also checks the type and gives untorn reads.
    /// </summary>
    public ref T AsRef<T>(long offset = 0)
        where T : unmanaged
    {
        CheckRange(offset, sizeof(T));
        if (IsReadOnly)
        {
            ThrowHelper.ThrowReadOnly(Name);
        }

        return ref Unsafe.AsRef<T>(_view + offset);
    }

    /// <summary>Creates a region; throws <see cref="RegionExistsException"/> if the name exists.</summary>
    /// <param name="name">The region's name; see <see cref="RegionName"/> for the rule.</param>
    /// <param name="size">Bytes to reserve, at least 1. The memory is committed now, so a full system fails here.</param>
    /// <param name="initializer">Fills the region before any other process can see it; null leaves it zeroed.</param>
    /// <param name="options">Access, lifetime, permissions and namespace; defaults if null.</param>
    public static SharedMemory CreateNew(string name, long size, RegionInitializer? initializer = null, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.CreateNew, size, options, initializer)!;

    /// <summary>Opens an existing region whole; throws <see cref="RegionNotFoundException"/> if there is none.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="options">Access (e.g. <see cref="SharedMemoryOptions.ReadOnly"/>), owner and namespace; defaults if null.</param>
    public static SharedMemory OpenExisting(string name, SharedMemoryOptions? options = null) =>
        OpenExisting(name, default, options);

    /// <summary>Opens a window of an existing region; throws <see cref="RegionNotFoundException"/> if there is none.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="window">The part of the region to view; it must fit the region.</param>
    /// <param name="options">Access, owner and namespace; defaults if null.</param>
    public static SharedMemory OpenExisting(string name, SharedMemoryWindow window, SharedMemoryOptions? options = null) =>
        Open(name, RegionMode.OpenExisting, 0, options, window: window) ?? throw new RegionNotFoundException(name);

    /// <summary>
    /// Opens an existing region, returning false only if it does not exist (or is stale). Other failures —
    /// access denied, a corrupt region — still throw.
    /// </summary>
    public static bool TryOpenExisting(string name, [NotNullWhen(true)] out SharedMemory? region, SharedMemoryOptions? options = null)
    {
        region = Open(name, RegionMode.OpenExisting, 0, options);
        return region is not null;
    }

    /// <summary>
    /// Opens the region, or creates it if absent, and says which happened. Of several processes racing on a
    /// fresh name, exactly one is told it created it, and none sees the region before the creator's
    /// <paramref name="initializer"/> has run. The view spans <paramref name="size"/> bytes.
    /// </summary>
    /// <param name="name">The region's name.</param>
    /// <param name="size">Bytes to create; an existing region must have at least this many.</param>
    /// <param name="created">True if this call created the region (the seed's <c>!alreadyExisted</c>).</param>
    /// <param name="initializer">Fills the region if this call creates it; null leaves it zeroed.</param>
    /// <param name="options">Access, lifetime, permissions and namespace; defaults if null.</param>
    public static SharedMemory CreateOrOpen(string name, long size, out bool created, RegionInitializer? initializer = null, SharedMemoryOptions? options = null) =>
        CreateOrOpen(name, size, default, out created, initializer, options);

    /// <summary>
    /// Opens the region, or creates it with <paramref name="size"/> bytes if absent, and views
    /// <paramref name="window"/> of its first <paramref name="size"/> bytes.
    /// </summary>
    /// <param name="name">The region's name.</param>
    /// <param name="size">Bytes to create; an existing region must have at least this many.</param>
    /// <param name="window">The part of the first <paramref name="size"/> bytes to view; it must fit them.</param>
    /// <param name="created">True if this call created the region.</param>
    /// <param name="initializer">Fills the whole region if this call creates it; null leaves it zeroed.</param>
    /// <param name="options">Access, lifetime, permissions and namespace; defaults if null.</param>
    public static SharedMemory CreateOrOpen(string name, long size, SharedMemoryWindow window, out bool created, RegionInitializer? initializer = null, SharedMemoryOptions? options = null)
    {
        SharedMemory region = Open(name, RegionMode.CreateOrOpen, size, options, initializer, window)!;
        created = region.Created;
        return region;
    }

    /// <summary>Opens the region, or creates it if absent.</summary>
    /// <inheritdoc cref="CreateOrOpen(string, long, out bool, RegionInitializer?, SharedMemoryOptions?)"/>
    public static SharedMemory CreateOrOpen(string name, long size, RegionInitializer? initializer = null, SharedMemoryOptions? options = null) =>
        CreateOrOpen(name, size, out _, initializer, options);

    /// <summary>
    /// Maps a regular file shared (the seed's <c>MapFile</c>). Every process that maps the same path sees the
    /// same bytes, and the contents persist in the file. A missing or shorter file is created or extended to
    /// <paramref name="size"/> bytes (read-write only); a size of 0 maps the file as it is.
    /// </summary>
    public static SharedMemory OpenFile(string path, long size = 0, SharedMemoryAccess access = SharedMemoryAccess.ReadWrite)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (size < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, SR.Format(SR.FileSizeNegative, path, size));
        }
        bool readOnly = access == SharedMemoryAccess.Read;
        FileRegion region = FileRegion.Open(Path.GetFullPath(path), size, readOnly);
        return new SharedMemory(path, region, 0, region.Length, readOnly);
    }

    /// <summary>
    /// Removes a region's name, like <c>shm_unlink</c>: processes that have it open keep their memory, new
    /// opens no longer find it. Returns false if there was no such region. On Windows a mapping lives exactly
    /// as long as its handles, so this returns false.
    /// </summary>
    public static bool Remove(string name)
    {
        RegionName.Validate(name);
        return OsRegion.RemoveRegion(name);
    }

    /// <summary>
    /// Unmaps the view and releases this process's hold on the region (the seed's <c>Unmap()</c>). Idempotent. A
    /// typed object built on this region unmaps only after calls in progress on other threads have returned.
    /// </summary>
    public void Dispose() => _handle.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"SharedMemory '{Name}' ({Size} bytes{(IsReadOnly ? ", read-only" : "")})";

    /// <summary>The one path every factory, raw and typed, takes to a region: validates the arguments, then opens or creates.</summary>
    /// <param name="name">The region's name.</param>
    /// <param name="mode">Create, open, or either.</param>
    /// <param name="size">Bytes to create; for an existing region, the least it must have unless <paramref name="headerChecksSize"/>.</param>
    /// <param name="options">Options; defaults if null.</param>
    /// <param name="initializer">Fills a region this call creates, before anyone else sees it; typed wrappers write their header here.</param>
    /// <param name="window">The part of the region to view; the default is all of it.</param>
    /// <param name="headerChecksSize">
    /// True for typed regions, whose header records their size and kind: an existing region of another size is
    /// opened whole and left to the header check, which says what it holds instead of only how big it is.
    /// </param>
    internal static SharedMemory? Open(string name, RegionMode mode, long size, SharedMemoryOptions? options,
        RegionInitializer? initializer = null, SharedMemoryWindow window = default, bool headerChecksSize = false)
    {
        RegionName.Validate(name);
        options ??= SharedMemoryOptions.Default;
        if (mode != RegionMode.OpenExisting)
        {
            if (size <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(size), size, SR.Format(SR.SizeNotPositive, size, name));
            }

            if (options.Access == SharedMemoryAccess.Read)
            {
                throw new ArgumentException(SR.Format(SR.CreateNeedsWrite, name), nameof(options));
            }

            if (((int)options.Permissions & ~0x1B6) != 0)
            {
                throw new ArgumentException(SR.Format(SR.BadPermissions, name, options.Permissions), nameof(options));
            }
        }

        // A create checks the window against the size it is about to create, before anything exists.
        if (window.Offset < 0 || window.Length is <= 0 || (mode != RegionMode.OpenExisting && WindowLength(window, size) < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(window),
                SR.Format(SR.ViewOutOfRange, name, window.Offset, window.Length ?? (size - window.Offset), size));
        }

        var request = new RegionRequest(name, mode, size, options)
        {
            MinExistingSize = headerChecksSize ? 0 : size,
            Initializer = initializer,
        };
        OsRegion? region = OsRegion.OpenRegion(request);
        if (region is null)
        {
            return null;
        }

        // CreateOrOpen promises a view of the size asked for, whoever created the region.
        long limit = mode == RegionMode.OpenExisting || (headerChecksSize && !region.Created) ? region.Length : size;
        long viewLength = WindowLength(window, limit);
        if (viewLength < 0)
        {
            region.Dispose();
            throw new ArgumentOutOfRangeException(nameof(window),
                SR.Format(SR.ViewOutOfRange, name, window.Offset, window.Length ?? (limit - window.Offset), limit));
        }

        return new SharedMemory(name, region, window.Offset, viewLength, options.Access == SharedMemoryAccess.Read)
        {
            Created = region.Created,
        };
    }

    /// <summary>Whether this process created the region.</summary>
    internal bool Created { get; private init; }

    /// <summary>The length of <paramref name="window"/> if it is non-empty and lies within <paramref name="limit"/> bytes; otherwise -1.</summary>
    private static long WindowLength(SharedMemoryWindow window, long limit)
    {
        long available = limit - window.Offset;
        long length = window.Length ?? available;
        return window.Offset >= 0 && available > 0 && length > 0 && length <= available ? length : -1;
    }

    /// <summary>The reference-counted owner of the mapping, which typed wrappers take around each access.</summary>
    internal RegionHandle Handle => _handle;

    /// <summary>The region's base, for typed wrappers that read their header before any view window.</summary>
    internal byte* RegionBase
    {
        get
        {
            ThrowIfDisposed();
            return _handle.Base;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (_handle.IsDisposing)
        {
            ThrowHelper.ThrowObjectDisposed(this);
        }
    }

    private void CheckRange(long offset, long length)
    {
        ThrowIfDisposed();
        if (offset < 0 || length < 0 || offset > Size - length)
        {
            ThrowHelper.ThrowSpanOutOfRange(Name, offset, length, Size);
        }
    }
}
