using System.Globalization;
using Memshare.Inspection;

namespace Memshare.Cli.Output;

/// <summary>How <c>ls</c> and <c>info</c> spell a region's fields, in text and in JSON alike.</summary>
internal static class RegionText
{
    public static string Kind(RegionFormat format) => format switch
    {
        RegionFormat.Raw => "raw",
        RegionFormat.SharedValue => "value",
        RegionFormat.SharedString => "string",
        RegionFormat.Channel => "channel",
        RegionFormat.Lock => "lock",
        RegionFormat.Event => "event",
        _ => "unknown",
    };

    /// <summary>Permission bits in octal with a leading zero, e.g. <c>0600</c>.</summary>
    public static string Mode(UnixFileMode permissions) =>
        "0" + Convert.ToString((int)permissions & 0x1FF, 8).PadLeft(3, '0');

    public static string Lifetime(SharedMemoryInfo region) => region.IsPersistent ? "persistent" : "scoped";

    public static string Holders(SharedMemoryInfo region) =>
        region.Holders is int n ? n.ToString(CultureInfo.InvariantCulture) : "-";

    public static string Fingerprint(ulong fingerprint) => $"0x{fingerprint:X16}";

    /// <summary>
    /// The STATE column of <c>ls</c> and the state line of <c>info</c>: a lock's holder, whether an event is set, a
    /// channel's messages and fill (<c>10 sent, 2% full, completed</c>); "-" for other kinds.
    /// </summary>
    public static string State(SharedMemoryInfo region) => region.Header switch
    {
        { Channel: { Damage: not null } } => "damaged",
        { Channel: { } c } => $"{c.MessagesWritten} sent, {Percent(c.FillLevel)} full"
            + (c.IsCompleted ? ", completed" : "")
            + (c.IsWriterAlive == false ? $", writer pid {c.WriterProcessId} dead" : ""),
        { Lock: { } l } => l.OwnerProcessId is not int pid ? "free"
            : l.IsOwnerAlive == false ? $"held by pid {pid} (dead)"
            : $"held by pid {pid}",
        { Event: { } e } => e.IsSet ? "set" : "not set",
        _ => "-",
    };

    /// <summary>A fraction from 0 to 1 as a percentage: <c>0%</c>, <c>0.4%</c>, <c>37%</c>, <c>100%</c>; never 0% for a non-zero fraction.</summary>
    public static string Percent(double fraction)
    {
        double percent = fraction * 100;
        return percent > 0 && percent < 0.1 ? "<0.1%"
            : percent < 10 ? percent.ToString("0.#", CultureInfo.InvariantCulture) + "%"
            : Math.Floor(percent).ToString("0", CultureInfo.InvariantCulture) + "%"; // 99.7% is not full
    }

    /// <summary>An event's mode as one word, as <c>info</c> and JSON show it: <c>auto</c> or <c>manual</c>.</summary>
    public static string? EventMode(EventResetMode? mode) => mode switch
    {
        EventResetMode.AutoReset => "auto",
        EventResetMode.ManualReset => "manual",
        _ => null,
    };
}
