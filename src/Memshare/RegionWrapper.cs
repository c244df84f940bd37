using Memshare.Platform;

namespace Memshare;

/// <summary>Hands a freshly opened region to the typed object that will own it.</summary>
internal static class RegionWrapper
{
    /// <summary>
    /// The factory path of every typed region: opens or creates it through <see cref="SharedMemory.Open"/> with the
    /// type's own <paramref name="initializer"/> and the whole region as its view, then wraps it. Null only when
    /// <paramref name="mode"/> is <see cref="RegionMode.OpenExisting"/> and there is no such region.
    /// </summary>
    internal static T? Open<T, TArg>(string name, RegionMode mode, long size, SharedMemoryOptions options, RegionInitializer initializer,
        TArg arg, Func<SharedMemory, TArg, T> create, out bool created)
        where T : class
    {
        SharedMemory? region = SharedMemory.Open(name, mode, mode == RegionMode.OpenExisting ? 0 : size, options, initializer, headerChecksSize: true);
        created = region?.Created ?? false;
        return region is null ? null : Wrap(region, arg, create);
    }

    /// <summary>Builds the owner of <paramref name="region"/>; if that throws (a bad header, say), closes the region, so a failed open holds nothing.</summary>
    internal static T Wrap<T, TArg>(SharedMemory region, TArg arg, Func<SharedMemory, TArg, T> create)
    {
        try
        {
            return create(region, arg);
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }
}
