namespace Memshare.Cli;

/// <summary>
/// The lifetime of regions that CLI commands create (create, set, lock, wait, signal, send, recv). Those commands exit
/// at once, so on POSIX their regions are persistent and stay until <c>memshare rm</c>. Windows has no persistent
/// regions (a named mapping lives exactly as long as its handles), so there they are scoped: they last while any
/// process holds them, such as <c>memshare hold</c>, a waiting <c>memshare wait</c> or <c>recv</c>, or a program.
/// </summary>
internal static class CliLifetime
{
    public static bool RegionsOutliveTheCli => !OperatingSystem.IsWindows();

    /// <summary>Options for a region a command creates.</summary>
    public static SharedMemoryOptions NewRegion() => new()
    {
        Lifetime = RegionsOutliveTheCli ? SharedMemoryLifetime.Persistent : SharedMemoryLifetime.Scoped,
    };

    /// <summary>How a created region's lifetime reads after "created it".</summary>
    public static string Describe => RegionsOutliveTheCli ? ", persistent" : ", scoped";

    /// <summary>On Windows, says on stderr that what a command just created goes away with its last holder.</summary>
    public static void NoteIfScoped(string name, bool created)
    {
        if (created && !RegionsOutliveTheCli)
        {
            ExitCodes.WriteError(Messages.Format(Messages.ScopedOnWindows, name));
        }
    }
}
