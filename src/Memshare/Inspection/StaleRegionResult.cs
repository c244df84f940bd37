namespace Memshare.Inspection;

/// <summary>One region <see cref="SharedMemoryCatalog.RemoveStale"/> looked at, and what it did.</summary>
/// <param name="Region">
/// The region as it was: for <see cref="StaleRegionOutcome.Removed"/> and <see cref="StaleRegionOutcome.Stale"/>,
/// read under the exclusive lock that proved it stale, so it describes exactly the file removed (0 holders).
/// </param>
/// <param name="Outcome">Removed, found stale in a dry run, or kept and why.</param>
public sealed record StaleRegionResult(SharedMemoryInfo Region, StaleRegionOutcome Outcome);
