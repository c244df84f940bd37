using Memshare.Inspection;

namespace Memshare.Cli.Output;

/// <summary>What <c>memshare info</c> prints: one "field: value" line per fact, header fields decoded by kind.</summary>
internal static class RegionDetails
{
    public static void Write(SharedMemoryInfo region, TextWriter output)
    {
        var lines = new List<(string Field, string Value)>
        {
            ("name", region.Name),
            ("path", region.Path),
            ("size", $"{region.Size} bytes"),
            ("kind", RegionText.Kind(region.Format)),
            ("owner", $"{region.Owner} (uid {region.OwnerId})"),
            ("mode", RegionText.Mode(region.Permissions)),
            ("lifetime", region.IsPersistent ? "persistent (stays until 'memshare rm')" : "scoped (removed with its last holder)"),
            ("holders", RegionText.Holders(region)),
        };

        if (region.IsStale)
        {
            lines.Add(("state", "stale: every holder died; the next open removes it"));
        }

        if (region.Header is { } h)
        {
            lines.Add(("layout", $"version {h.LayoutVersion}, kind code {h.KindCode}, header {h.HeaderSize} bytes, total {h.TotalSize} bytes, slot stride {h.SlotStride} bytes"));
            switch (region.Format)
            {
                case RegionFormat.SharedValue:
                    lines.Add(("type", h.TypeName ?? "?"));
                    lines.Add(("payload", $"{h.PayloadSize} bytes"));
                    lines.Add(("fingerprint", RegionText.Fingerprint(h.Fingerprint)));
                    lines.Add(("version", Count(h.Version, "writes")));
                    break;
                case RegionFormat.SharedString:
                    lines.Add(("capacity", $"{h.PayloadSize} bytes"));
                    lines.Add(("length", Count(h.Length, "bytes")));
                    lines.Add(("version", Count(h.Version, "writes")));
                    break;
                case RegionFormat.Lock when h.Lock is { } l:
                    lines.Add(("state", l.OwnerProcessId is not int pid ? "free"
                        : l.IsOwnerAlive == false ? $"held by pid {pid}, which has died: the next acquirer takes the lock over and is told so"
                        : $"held by pid {pid}"));
                    lines.Add(("waiters", Count(l.Waiters, "processes")));
                    lines.Add(("recoveries", Count(l.Recoveries, "times an acquirer took the lock from a dead owner")));
                    break;
                case RegionFormat.Event when h.Event is { } e:
                    lines.Add(("reset", e.Mode switch
                    {
                        EventResetMode.AutoReset => "auto (each signal releases one waiter)",
                        EventResetMode.ManualReset => $"manual (stays set until 'memshare reset {region.Name}')",
                        _ => "? (the mode field holds neither 0 nor 1)",
                    }));
                    lines.Add(("state", RegionText.State(region)));
                    lines.Add(("waiters", Count(e.Waiters, "processes")));
                    break;
                case RegionFormat.Channel when h.Channel is { } c:
                    AddChannel(lines, region.Name, c);
                    break;
                case RegionFormat.Lock or RegionFormat.Event or RegionFormat.Channel:
                    break; // too short to hold the state: the "damaged" line below says so
                default:
                    lines.Add(("payload", $"{h.PayloadSize} bytes"));
                    break;
            }

            if (h.TotalSize > region.Size)
            {
                lines.Add(("damaged", $"the file has {region.Size} bytes but the header needs {h.TotalSize}; remove it ('memshare rm {region.Name}') and recreate it"));
            }
        }

        int width = lines.Max(l => l.Field.Length) + 2;
        foreach ((string field, string value) in lines)
        {
            output.WriteLine((field + ":").PadRight(width) + value);
        }
    }

    /// <summary>A channel's configuration, writer, fill level and one line per reader that matters.</summary>
    private static void AddChannel(List<(string Field, string Value)> lines, string name, SharedChannelInfo c)
    {
        lines.Add(("channel", c.Mode switch
        {
            ChannelMode.SingleProducer => "spsc (one writer, one reader)",
            ChannelMode.MultiProducer => "mpsc (several writers, one reader)",
            ChannelMode.Broadcast => $"broadcast, {(c.Overflow is { } o ? ChannelWords.Overflow(o) : "?")} (one writer, up to {c.MaxReaders} readers)",
            _ => "? (the mode field holds none of 0, 1, 2)",
        }));
        lines.Add(("capacity", $"{c.Capacity} bytes"));
        lines.Add(("max message", $"{c.MaxMessageLength} bytes"));
        lines.Add(("messages", $"{c.MessagesWritten} written"));
        lines.Add(("writer position", $"{c.WriterPosition} bytes"));
        lines.Add(("completed", c.IsCompleted ? "yes: readers end once they have drained it" : "no"));
        lines.Add(("writer", c.WriterProcessId is not int pid ? "none attached"
            : c.IsWriterAlive == false ? $"pid {pid}, which has died: the next writer takes the role over"
            : $"pid {pid}"));
        if (c.WriterRecoveries > 0)
        {
            lines.Add(("recoveries", Count(c.WriterRecoveries, "times a writer took the role from a dead one")));
        }

        lines.Add(("fill", $"{c.UsedBytes} of {c.Capacity} bytes ({RegionText.Percent(c.FillLevel)}) not yet read by the slowest reader"));
        if (c.Readers.Count == 0)
        {
            lines.Add(("readers", "none attached"));
        }

        foreach (SharedChannelReaderInfo r in c.Readers)
        {
            string process = r.OwnerProcessId is not int readerPid ? "no process reading"
                : r.IsOwnerAlive == false ? $"pid {readerPid} (dead)"
                : $"pid {readerPid}";
            string attached = c.Mode == ChannelMode.Broadcast && !r.IsAttached ? ", not attached" : "";
            lines.Add(($"reader {r.Index}", $"position {r.Position}, lag {r.Lag} bytes, {r.LostMessages} lost, {process}{attached}"));
        }

        if (c.Damage is { } damage)
        {
            lines.Add(("damaged", $"{damage}; remove it ('memshare rm {name}') and recreate it"));
        }
    }

    private static string Count(long? value, string unit) => value is long n ? $"{n} {unit}" : "?";
}
