namespace Memshare;

/// <summary>
/// A region's contents do not match what the caller expects: a corrupt or foreign header, another type,
/// or a backing file shorter than the region it claims to hold.
/// </summary>
public sealed class RegionFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="regionName"/> with a message that says what differs.</summary>
    public RegionFormatException(string regionName, string message)
        : base(message) => RegionName = regionName;

    /// <summary>The region whose format is wrong.</summary>
    public string RegionName { get; }
}
