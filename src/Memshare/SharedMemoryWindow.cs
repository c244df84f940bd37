namespace Memshare;

/// <summary>
/// The part of a raw region that a <see cref="SharedMemory"/> view shows, like the offset and size of
/// <c>MapViewOfFile</c>. The default, <c>new SharedMemoryWindow()</c>, is the whole region. The window only bounds
/// what the view gives out; it must lie inside the region and hold at least one byte.
/// </summary>
/// <param name="Offset">Where the view starts within the region, in bytes.</param>
/// <param name="Length">Bytes in the view; <c>null</c> (the default) runs to the end of the region.</param>
public readonly record struct SharedMemoryWindow(long Offset, long? Length = null);
