namespace Memshare;

/// <summary>A region of that name already exists and the call required a new one.</summary>
public sealed class RegionExistsException : IOException
{
    /// <summary>Creates the exception for <paramref name="regionName"/>.</summary>
    public RegionExistsException(string regionName)
        : base(SR.Format(SR.RegionExists, regionName)) => RegionName = regionName;

    /// <summary>The name that exists.</summary>
    public string RegionName { get; }
}
