namespace Memshare;

/// <summary>
/// Fills a new raw region before any other process can see it; pass one to <see cref="SharedMemory.CreateNew"/> or
/// <see cref="SharedMemory.CreateOrOpen(string, long, out bool, RegionInitializer?, SharedMemoryOptions?)"/>.
/// </summary>
/// <param name="memory">The whole new region, whatever view window was asked for; it reads as zeros on entry.</param>
public delegate void RegionInitializer(Span<byte> memory);
