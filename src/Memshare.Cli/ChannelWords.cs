namespace Memshare.Cli;

/// <summary>How the CLI spells a channel's mode, on the command line, in <c>info</c> and in JSON alike.</summary>
internal static class ChannelWords
{
    public static string Mode(ChannelMode mode) => mode switch
    {
        ChannelMode.SingleProducer => "spsc",
        ChannelMode.MultiProducer => "mpsc",
        ChannelMode.Broadcast => "broadcast",
        _ => "?",
    };

    public static bool TryParseMode(string text, out ChannelMode mode)
    {
        foreach (ChannelMode candidate in (ReadOnlySpan<ChannelMode>)[ChannelMode.SingleProducer, ChannelMode.MultiProducer, ChannelMode.Broadcast])
        {
            if (string.Equals(text, Mode(candidate), StringComparison.OrdinalIgnoreCase))
            {
                mode = candidate;
                return true;
            }
        }

        mode = default;
        return false;
    }

    public static string Overflow(ChannelOverflow overflow) => overflow == ChannelOverflow.Overrun ? "overrun" : "back-pressure";
}
