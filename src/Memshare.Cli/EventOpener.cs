namespace Memshare.Cli;

/// <summary>How <c>wait</c> and <c>signal</c> open a named event: created persistent if absent, so either may come first.</summary>
internal static class EventOpener
{
    /// <summary>
    /// Opens the event, creating it (persistent, auto-reset unless <paramref name="manual"/>) if absent. An
    /// existing event keeps its mode; asking for manual-reset on an auto-reset one is worth a warning on stderr.
    /// </summary>
    public static SharedEvent CreateOrOpen(string name, bool manual, out bool created)
    {
        SharedEvent sharedEvent = SharedEvent.CreateOrOpen(
            name,
            out created,
            manual ? EventResetMode.ManualReset : EventResetMode.AutoReset,
            initialState: false,
            CliLifetime.NewRegion());
        if (manual && sharedEvent.Mode == EventResetMode.AutoReset)
        {
            ExitCodes.WriteError(Messages.Format(Messages.ManualIgnored, name));
        }

        return sharedEvent;
    }

    /// <summary>How a mode reads in help and messages.</summary>
    public static string Describe(EventResetMode mode) =>
        mode == EventResetMode.ManualReset ? "manual-reset: stays set until 'memshare reset'" : "auto-reset: one waiter consumes each signal";
}
