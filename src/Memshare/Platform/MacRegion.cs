using System.Runtime.Versioning;

namespace Memshare.Platform;

/// <summary>
/// Regions on macOS: POSIX shm objects (<c>shm_open("/NAME")</c>) guarded by lock files in
/// <c>/tmp/.memshare</c>, through the portable <see cref="LockFileRegion"/> protocol with Darwin's calls.
/// Not run in our CI; the protocol itself runs in the tests on Linux. See the README.
/// </summary>
[SupportedOSPlatform("macos")]
internal static class MacRegion
{
    internal static LockFileRegion? Open(in RegionRequest request) =>
        LockFileRegion.Open(request, DarwinShmApi.Instance, LockFileSettings.MacOS);

    internal static bool Remove(string name) =>
        LockFileRegion.Remove(name, DarwinShmApi.Instance, LockFileSettings.MacOS);
}
