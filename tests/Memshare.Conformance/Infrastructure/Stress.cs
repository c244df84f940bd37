namespace Memshare.Conformance.Infrastructure;

/// <summary>
/// How many times the stress tests repeat their scenario. Natively they run in full. In the Windows pass under Wine a
/// process start costs about a second and every cross-process wait goes through the Wine server, so the same
/// scenarios, with the same assertions, run fewer rounds there to fit CI's time.
/// </summary>
internal static class Stress
{
    public static bool Reduced => OperatingSystem.IsWindows();

    public static int Count(int native, int windows) => Reduced ? windows : native;

    public static long Count(long native, long windows) => Reduced ? windows : native;
}
