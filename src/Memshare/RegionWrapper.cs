namespace Memshare;

/// <summary>Hands a freshly opened region to the typed object that will own it.</summary>
internal static class RegionWrapper
{
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

    /// <inheritdoc cref="Wrap{T, TArg}"/>
    internal static T Wrap<T>(SharedMemory region, Func<SharedMemory, T> create) =>
        Wrap(region, create, static (r, c) => c(r));
}
