namespace Memshare.Inspection;

/// <summary>What a region holds, as far as its first bytes tell (see <see cref="SharedMemoryInfo.Format"/>).</summary>
public enum RegionFormat
{
    /// <summary>No Memshare header: a raw <see cref="SharedMemory"/> region, or one made by C, Python or Boost.</summary>
    Raw = 0,

    /// <summary>A <see cref="Memshare.SharedValue{T}"/>.</summary>
    SharedValue = 1,

    /// <summary>A <see cref="Memshare.SharedString"/>.</summary>
    SharedString = 2,

    /// <summary>A Memshare channel.</summary>
    Channel = 3,

    /// <summary>A <see cref="Memshare.SharedLock"/>.</summary>
    Lock = 4,

    /// <summary>A <see cref="Memshare.SharedEvent"/>.</summary>
    Event = 5,

    /// <summary>
    /// Not known: the file could not be read (no permission), or it has a Memshare header with a layout version
    /// or kind this Memshare does not understand (see <see cref="SharedMemoryInfo.Header"/>).
    /// </summary>
    Unknown = 6,
}
