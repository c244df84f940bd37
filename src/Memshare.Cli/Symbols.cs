using System.CommandLine;

namespace Memshare.Cli;

/// <summary>Arguments and options that several commands share, so they read the same in every help text.</summary>
internal static class Symbols
{
    public static Argument<string> RegionName() =>
        new("name") { Description = "The region's name: 1 to 200 letters, digits, '.', '_' or '-' (on Linux, the file /dev/shm/NAME)." };

    public static Option<bool> Json() =>
        new("--json") { Description = "Print JSON instead of text." };

    /// <summary>
    /// <c>--timeout</c>: how long to wait, as <see cref="Duration"/> reads it; null when absent (wait as long as it
    /// takes). A value that is not a duration is a parse error, so it exits 2 before anything is opened.
    /// </summary>
    public static Option<TimeSpan?> Timeout(string description) =>
        new("--timeout")
        {
            Description = description + " Give '500ms', '5s', '2m' or a number of seconds (decimals allowed). Without it, waits as long as it takes.",
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (Duration.TryParse(text, out TimeSpan timeout))
                {
                    return timeout;
                }

                result.AddError(Messages.Format(Messages.BadTimeout, text));
                return null;
            },
        };

    public static Option<bool> Manual() =>
        new("--manual") { Description = "If the event is created now, make it manual-reset: once set, it stays set for every waiter until 'memshare reset NAME'. Without it, a new event is auto-reset. An existing event keeps its mode." };

    /// <summary><c>--capacity</c> of a channel: null when absent (open an existing channel only).</summary>
    public static Option<int?> ChannelCapacity(string description) =>
        new("--capacity") { HelpName = "bytes", Description = description + " A power of two from 4096 to 1073741824 bytes; the largest message is half of it less 16 bytes. An existing channel keeps its capacity." };

    /// <summary><c>--mode spsc|mpsc|broadcast</c>: null when absent. Another word is a parse error (exit 2).</summary>
    public static Option<ChannelMode?> ChannelModeOption() =>
        new("--mode")
        {
            HelpName = "spsc|mpsc|broadcast",
            Description = "If the channel is created now: spsc (one writer, one reader; the default), mpsc (several writers, one reader) or broadcast (one writer; up to 8 readers, --reader 0 to 7, each sees every message sent after it first attached). An existing channel keeps its mode.",
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (ChannelWords.TryParseMode(text, out ChannelMode mode))
                {
                    return mode;
                }

                result.AddError(Messages.Format(Messages.BadChannelMode, text));
                return null;
            },
        };

    public static Option<long> Offset(string description) =>
        new("--offset") { Description = description, DefaultValueFactory = _ => 0 };

    /// <summary>A byte offset or count as <see cref="ByteCount"/> reads it; anything else is a parse error (exit 2).</summary>
    public static Option<long> ByteCountOption(string name, string description, long defaultValue) =>
        new(name)
        {
            HelpName = "bytes",
            Description = description + " Decimal, 0x hex, or with a unit: 4k, 4KiB, 1M, 1MiB, 1G, 1GiB.",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => ParseByteCount(name, result) ?? 0,
        };

    /// <summary>Like <see cref="ByteCountOption"/>, null when absent.</summary>
    public static Option<long?> OptionalByteCountOption(string name, string description) =>
        new(name)
        {
            HelpName = "bytes",
            Description = description + " Decimal, 0x hex, or with a unit: 4k, 4KiB, 1M, 1MiB, 1G, 1GiB.",
            CustomParser = result => ParseByteCount(name, result),
        };

    private static long? ParseByteCount(string name, System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (ByteCount.TryParse(text, out long bytes))
        {
            return bytes;
        }

        result.AddError(Messages.Format(Messages.BadByteCount, name, text));
        return null;
    }
}
