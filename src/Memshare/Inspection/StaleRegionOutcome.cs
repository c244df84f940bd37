namespace Memshare.Inspection;

/// <summary>What <see cref="SharedMemoryCatalog.RemoveStale"/> did with one region, and why.</summary>
public enum StaleRegionOutcome
{
    /// <summary>Scoped, ours, and nobody held it: removed.</summary>
    Removed,

    /// <summary>A dry run found it stale (scoped, ours, nobody held it) and left it.</summary>
    Stale,

    /// <summary>Kept: a process holds it (or is removing it right now).</summary>
    Live,

    /// <summary>Kept: persistent, or made by another program (no sticky bit); only <c>rm</c> removes it.</summary>
    Persistent,

    /// <summary>Kept: another user owns it.</summary>
    OtherOwner,

    /// <summary>Kept: we may not open it to check for holders.</summary>
    Unreadable,

    /// <summary>Kept: the name was replaced while we looked; the next run sees the new file.</summary>
    Changed,
}
