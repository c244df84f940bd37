using System.Globalization;
using System.Text;
using Memshare.Inspection;

namespace Memshare.Cli.Output;

/// <summary>
/// One refresh of <c>memshare watch</c>: a title and "field: value" lines, the same for the live terminal view
/// and the plain text frames. Rates compare this sample with the one before (none on the first refresh: "-").
/// </summary>
internal sealed record WatchFrame(string Name, int Refresh, DateTime At, IReadOnlyList<(string Field, string Value)> Lines)
{
    /// <summary>When this refresh was taken, and which it is: <c>refresh 3, 12:00:01.250</c>.</summary>
    public string Stamp => string.Create(CultureInfo.InvariantCulture, $"refresh {Refresh}, {At:HH:mm:ss.fff}");

    /// <summary>Bytes of a value or raw region shown as hex.</summary>
    public const int HexBytes = 64;

    public static WatchFrame From(SharedMemorySample now, SharedMemorySample? before, TimeSpan elapsed, int refresh)
    {
        SharedMemoryInfo r = now.Info;
        var lines = new List<(string, string)>
        {
            ("kind", RegionText.Kind(r.Format)),
            ("size", $"{r.Size} bytes"),
            ("holders", RegionText.Holders(r) + (r.IsStale ? " (stale: every holder died)" : "")),
        };
        var rates = new Rates(before, now, elapsed);
        SharedMemoryHeaderInfo? h = r.Header;
        switch (r.Format)
        {
            case RegionFormat.SharedValue when h is not null:
                lines.Add(("type", $"{h.TypeName ?? "?"} ({h.PayloadSize} bytes)"));
                lines.Add(("writes", Number(now.Version)));
                lines.Add(("writes/s", rates.Of(s => s.Version)));
                lines.Add(("recoveries", Number(now.Recoveries)));
                lines.Add(("value", now.Payload is { } value ? HexOf(value.Span) : "? (no consistent read: writers kept publishing)"));
                break;
            case RegionFormat.SharedString when h is not null:
                lines.Add(("text", now.Payload is { } text ? Quote(text.Span, h.Length) : "? (no consistent read: writers kept publishing)"));
                lines.Add(("length", $"{Number(h.Length)} of {h.PayloadSize} bytes"));
                lines.Add(("writes", Number(now.Version)));
                lines.Add(("writes/s", rates.Of(s => s.Version)));
                lines.Add(("recoveries", Number(now.Recoveries)));
                break;
            case RegionFormat.Channel when h?.Channel is { } c:
                AddChannel(lines, c, rates);
                break;
            case RegionFormat.Lock when h?.Lock is { } l:
                lines.Add(("owner", l.OwnerProcessId is int pid ? $"pid {pid}" : "none (free)"));
                lines.Add(("alive", l.IsOwnerAlive is bool alive ? YesNo(alive) + (alive ? "" : ": the next acquirer takes it over") : "-"));
                lines.Add(("waiters", Number(l.Waiters)));
                lines.Add(("recoveries", Number(l.Recoveries)));
                break;
            case RegionFormat.Event when h?.Event is { } e:
                lines.Add(("mode", RegionText.EventMode(e.Mode) ?? "?"));
                lines.Add(("set", YesNo(e.IsSet)));
                lines.Add(("waiters", Number(e.Waiters)));
                break;
            default:
                lines.Add(("first bytes", now.Payload is { } bytes ? HexOf(bytes.Span) : "?"));
                break;
        }

        return new WatchFrame(r.Name, refresh, DateTime.Now, lines);
    }

    private static void AddChannel(List<(string, string)> lines, SharedChannelInfo c, Rates rates)
    {
        string mode = c.Mode is { } m ? ChannelWords.Mode(m) : "?";
        if (c.Mode == ChannelMode.Broadcast && c.Overflow is { } o)
        {
            mode += ", " + ChannelWords.Overflow(o);
        }

        lines.Add(("mode", mode));
        lines.Add(("capacity", $"{c.Capacity} bytes"));
        lines.Add(("writer position", Number(c.WriterPosition)));
        lines.Add(("fill", $"{RegionText.Percent(c.FillLevel)} ({c.UsedBytes} bytes unread by the slowest reader)"));
        lines.Add(("messages", Number(c.MessagesWritten)));
        lines.Add(("msg/s", rates.Of(s => s.Info.Header?.Channel?.MessagesWritten)));
        lines.Add(("bytes/s", rates.Of(s => s.Info.Header?.Channel?.WriterPosition)));
        lines.Add(("writer", c.WriterProcessId is int pid ? $"pid {pid}, {(c.IsWriterAlive == false ? "dead" : "alive")}" : "none"));
        if (c.IsCompleted)
        {
            lines.Add(("completed", "yes"));
        }

        foreach (SharedChannelReaderInfo reader in c.Readers)
        {
            string process = reader.OwnerProcessId is int readerPid ? $"pid {readerPid}, {(reader.IsOwnerAlive == false ? "dead" : "alive")}" : "no process";
            lines.Add(($"reader {reader.Index}", $"position {reader.Position}, lag {reader.Lag} bytes, lost {reader.LostMessages}, {process}"));
        }

        if (c.Damage is { } damage)
        {
            lines.Add(("damaged", damage));
        }
    }

    /// <summary>Bytes as "2a 00 ff", at most <see cref="HexBytes"/> of them.</summary>
    private static string HexOf(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        int n = Math.Min(bytes.Length, HexBytes);
        for (int i = 0; i < n; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : " ")}{bytes[i]:x2}");
        }

        return n < bytes.Length ? sb.Append(" ...").ToString() : sb.ToString();
    }

    /// <summary>The text in double quotes, control characters escaped, and how much was left out if it was cut.</summary>
    private static string Quote(ReadOnlySpan<byte> utf8, int? length)
    {
        var sb = new StringBuilder("\"");
        foreach (char ch in Encoding.UTF8.GetString(utf8))
        {
            _ = ch switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                '\t' => sb.Append("\\t"),
                _ when char.IsControl(ch) => sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)ch:x4}"),
                _ => sb.Append(ch),
            };
        }

        sb.Append('"');
        if (length > utf8.Length)
        {
            sb.Append(CultureInfo.InvariantCulture, $" ... ({length - utf8.Length} more bytes)");
        }

        return sb.ToString();
    }

    private static string Number(long? value) => value is long n ? n.ToString(CultureInfo.InvariantCulture) : "?";

    private static string YesNo(bool value) => value ? "yes" : "no";

    /// <summary>Per-second rates of counters between two samples.</summary>
    private readonly struct Rates(SharedMemorySample? before, SharedMemorySample now, TimeSpan elapsed)
    {
        public string Of(Func<SharedMemorySample, long?> counter)
        {
            if (before is null || elapsed <= TimeSpan.Zero || counter(before) is not long then || counter(now) is not long current)
            {
                return "-";
            }

            double rate = Math.Max(0, current - then) / elapsed.TotalSeconds;
            return rate.ToString(rate >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture);
        }
    }
}
