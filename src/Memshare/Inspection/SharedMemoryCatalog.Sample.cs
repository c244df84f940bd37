namespace Memshare.Inspection;

public static partial class SharedMemoryCatalog
{
    /// <summary>
    /// Describes one region like <see cref="Get"/> and reads up to <paramref name="payloadLimit"/> bytes of
    /// what it holds (see <see cref="RegionSample"/>); null if there is none of that name. For <c>memshare watch</c>.
    /// </summary>
    internal static RegionSample? Sample(string name, int payloadLimit)
    {
        RegionName.Validate(name);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLimit);
        if (!OperatingSystem.IsLinux())
        {
            throw NotSupported();
        }

        return SampleLinux(name, payloadLimit);
    }

    /// <summary>
    /// Opens a region's backing file for reading only, outside its lifetime (see <see cref="RegionFileReader"/>).
    /// For <c>memshare dump</c>.
    /// </summary>
    /// <exception cref="RegionNotFoundException">There is no region of that name.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read, or the name is a symbolic link.</exception>
    /// <exception cref="IOException">The name is not a regular file.</exception>
    internal static RegionFileReader OpenReader(string name)
    {
        RegionName.Validate(name);
        if (!OperatingSystem.IsLinux())
        {
            throw NotSupported();
        }

        return RegionFileReader.Open(name);
    }
}
