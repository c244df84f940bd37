namespace Memshare;

/// <summary>No region of that name exists (or the one there is stale: all its holders died).</summary>
public sealed class RegionNotFoundException : FileNotFoundException
{
    /// <summary>Creates the exception for <paramref name="regionName"/>.</summary>
    public RegionNotFoundException(string regionName)
        : base(SR.Format(SR.RegionNotFound, regionName)) => RegionName = regionName;

    /// <summary>The name that was not found.</summary>
    public string RegionName { get; }
}
