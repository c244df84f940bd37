namespace Memshare;

/// <summary>How a process maps a region.</summary>
public enum SharedMemoryAccess
{
    /// <summary>Read and write; <see cref="SharedMemory.Span"/> is available.</summary>
    ReadWrite = 0,

    /// <summary>Read only; only <see cref="SharedMemory.ReadOnlySpan"/> is available and the pages are mapped read-only.</summary>
    Read = 1,
}
