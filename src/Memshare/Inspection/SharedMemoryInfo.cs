namespace Memshare.Inspection;

/// <summary>
/// What <see cref="SharedMemoryCatalog"/> found about one named region, read from outside without becoming a
/// holder: a snapshot that may be out of date as soon as it is returned.
/// </summary>
public sealed record SharedMemoryInfo
{
    internal SharedMemoryInfo()
    {
    }

    /// <summary>The region's name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Where the region lives: <c>/dev/shm/NAME</c> on Linux.</summary>
    public string Path { get; init; } = "";

    /// <summary>Bytes in the region (the size of its backing file).</summary>
    public long Size { get; init; }

    /// <summary>What the region holds, decoded from its header; <see cref="RegionFormat.Raw"/> if it has none.</summary>
    public RegionFormat Format { get; init; }

    /// <summary>The numeric id (uid) of the user that owns the region.</summary>
    public uint OwnerId { get; init; }

    /// <summary>The owner's user name if it could be resolved, otherwise <see cref="OwnerId"/> as text.</summary>
    public string Owner { get; init; } = "";

    /// <summary>Who may open the region: the read, write and execute bits of its file mode (e.g. 0600).</summary>
    public UnixFileMode Permissions { get; init; }

    /// <summary>
    /// True if the region outlives its holders (<see cref="SharedMemoryLifetime.Persistent"/>, or made by another
    /// program); false if it is <see cref="SharedMemoryLifetime.Scoped"/>, which Linux marks with the sticky bit.
    /// </summary>
    public bool IsPersistent { get; init; }

    /// <summary>
    /// How many open handles hold the region (one per process that has it open through Memshare), or null if
    /// that cannot be known. A scoped region with 0 holders is stale; see <see cref="IsStale"/>.
    /// </summary>
    public int? Holders { get; init; }

    /// <summary>The decoded Memshare header, or null for a raw region or one that could not be read.</summary>
    public SharedMemoryHeaderInfo? Header { get; init; }

    /// <summary>True for a scoped region that no process holds any more: the next open treats it as absent and removes it.</summary>
    public bool IsStale => !IsPersistent && Holders == 0;
}
