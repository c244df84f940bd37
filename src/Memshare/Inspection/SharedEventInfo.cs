namespace Memshare.Inspection;

/// <summary>
/// The state of a <see cref="SharedEvent"/> region, read from outside without consuming anything (see
/// <see cref="SharedMemoryHeaderInfo.Event"/>): a snapshot that may change as soon as it is returned.
/// </summary>
public sealed record SharedEventInfo
{
    internal SharedEventInfo()
    {
    }

    /// <summary>
    /// Auto-reset (each set releases one waiter) or manual-reset (stays set until reset), as chosen by the
    /// event's creator; null if the mode field holds neither value (a damaged region).
    /// </summary>
    public EventResetMode? Mode { get; init; }

    /// <summary>Whether the event is set right now (what <see cref="SharedEvent.IsSet"/> returns).</summary>
    public bool IsSet { get; init; }

    /// <summary>
    /// Processes waiting for the event, asleep or about to sleep. A waiter killed while waiting (SIGKILL) is
    /// never subtracted, so this may overcount.
    /// </summary>
    public int Waiters { get; init; }
}
