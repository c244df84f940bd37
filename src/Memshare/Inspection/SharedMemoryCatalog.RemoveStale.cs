namespace Memshare.Inspection;

public static partial class SharedMemoryCatalog
{
    /// <summary>
    /// Removes every scoped region of this user that no process holds any more (all its holders died), and
    /// reports what it did with each region it saw, sorted by name. Never touches a live region, a persistent
    /// one (or one made by another program), or one another user owns. With <paramref name="dryRun"/>, finds
    /// the stale ones the same way but removes nothing.
    /// </summary>
    /// <remarks>
    /// Race-free with Memshare's own lifetime protocol (docs/format.md, "Holders"): a region is removed only
    /// while this process holds its exclusive <c>flock</c>, which no holder can have, and only if the name still
    /// leads to the locked inode. A process opening it meanwhile either finds the name gone or keeps the region.
    /// </remarks>
    /// <param name="dryRun">True to only report which regions are stale.</param>
    /// <returns>Every region looked at, with what was done with it, sorted by name.</returns>
    /// <exception cref="PlatformNotSupportedException">Not on Linux (Windows has no stale regions; macOS cannot list them).</exception>
    public static IReadOnlyList<StaleRegionResult> RemoveStale(bool dryRun = false)
    {
        if (OperatingSystem.IsLinux())
        {
            return RemoveStaleLinux(dryRun);
        }

        throw new PlatformNotSupportedException(OperatingSystem.IsWindows() ? SR.NoStaleOnWindows
            : OperatingSystem.IsMacOS() ? SR.NoStaleListingOnMac
            : SR.Format(SR.CatalogLinuxOnly, "this OS"));
    }
}
