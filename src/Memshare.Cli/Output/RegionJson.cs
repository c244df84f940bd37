using System.Text.Json;
using Memshare.Inspection;

namespace Memshare.Cli.Output;

/// <summary>
/// <c>ls --json</c> (an array) and <c>info --json</c> (one object). Written field by field so the schema is
/// explicit and stable: camelCase names, mode as an octal string, kind and lifetime as words, holders null
/// when unknown, header null for raw regions. A lock's header has a "lock" object (ownerPid and ownerAlive
/// null when free, waiters, recoveries); an event's an "event" object (mode "auto" or "manual", signaled, waiters);
/// a channel's a "channel" object (mode "spsc", "mpsc" or "broadcast", overflow, sizes, writer position and pid,
/// messagesWritten, completed, usedBytes, fillPercent, one object per reader that matters, and "damaged": null or
/// what is wrong).
/// </summary>
internal static class RegionJson
{
    private static readonly JsonWriterOptions s_options = new() { Indented = true };

    public static void WriteArray(IReadOnlyList<SharedMemoryInfo> regions, Stream output)
    {
        using var json = new Utf8JsonWriter(output, s_options);
        json.WriteStartArray();
        foreach (SharedMemoryInfo region in regions)
        {
            WriteRegion(json, region);
        }

        json.WriteEndArray();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    public static void WriteObject(SharedMemoryInfo region, Stream output)
    {
        using var json = new Utf8JsonWriter(output, s_options);
        WriteRegion(json, region);
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteRegion(Utf8JsonWriter json, SharedMemoryInfo r)
    {
        json.WriteStartObject();
        json.WriteString("name", r.Name);
        json.WriteString("path", r.Path);
        json.WriteNumber("size", r.Size);
        json.WriteString("kind", RegionText.Kind(r.Format));
        json.WriteString("owner", r.Owner);
        json.WriteNumber("uid", r.OwnerId);
        json.WriteString("mode", RegionText.Mode(r.Permissions));
        json.WriteString("lifetime", RegionText.Lifetime(r));
        json.WriteBoolean("persistent", r.IsPersistent);
        if (r.Holders is int holders)
        {
            json.WriteNumber("holders", holders);
        }
        else
        {
            json.WriteNull("holders");
        }

        json.WriteBoolean("stale", r.IsStale);
        if (r.Header is { } h)
        {
            json.WriteStartObject("header");
            json.WriteNumber("layoutVersion", h.LayoutVersion);
            json.WriteNumber("kindCode", h.KindCode);
            json.WriteNumber("headerSize", h.HeaderSize);
            json.WriteNumber("totalSize", h.TotalSize);
            json.WriteNumber("payloadSize", h.PayloadSize);
            json.WriteNumber("slotStride", h.SlotStride);
            json.WriteString("fingerprint", RegionText.Fingerprint(h.Fingerprint));
            WriteOptional(json, "typeName", h.TypeName);
            WriteOptional(json, "version", h.Version);
            if (r.Format == RegionFormat.SharedString)
            {
                json.WriteNumber("capacity", h.PayloadSize);
            }

            WriteOptional(json, "length", h.Length);
            if (h.Lock is { } l)
            {
                json.WriteStartObject("lock");
                if (l.OwnerProcessId is int pid && l.IsOwnerAlive is bool alive)
                {
                    json.WriteNumber("ownerPid", pid);
                    json.WriteBoolean("ownerAlive", alive);
                }
                else
                {
                    json.WriteNull("ownerPid");
                    json.WriteNull("ownerAlive");
                }

                json.WriteNumber("waiters", l.Waiters);
                json.WriteNumber("recoveries", l.Recoveries);
                json.WriteEndObject();
            }

            if (h.Event is { } e)
            {
                json.WriteStartObject("event");
                WriteOptional(json, "mode", RegionText.EventMode(e.Mode));
                json.WriteBoolean("signaled", e.IsSet);
                json.WriteNumber("waiters", e.Waiters);
                json.WriteEndObject();
            }

            if (h.Channel is { } c)
            {
                WriteChannel(json, c);
            }

            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("header");
        }

        json.WriteEndObject();
    }

    private static void WriteChannel(Utf8JsonWriter json, SharedChannelInfo c)
    {
        json.WriteStartObject("channel");
        WriteOrNull(json, "mode", c.Mode is { } mode ? ChannelWords.Mode(mode) : null);
        WriteOrNull(json, "overflow", c.Overflow is { } overflow ? ChannelWords.Overflow(overflow) : null);
        json.WriteNumber("capacity", c.Capacity);
        json.WriteNumber("maxMessage", c.MaxMessageLength);
        json.WriteNumber("maxReaders", c.MaxReaders);
        json.WriteNumber("writerPosition", c.WriterPosition);
        json.WriteNumber("messagesWritten", c.MessagesWritten);
        json.WriteBoolean("completed", c.IsCompleted);
        WriteProcess(json, "writerPid", "writerAlive", c.WriterProcessId, c.IsWriterAlive);
        json.WriteNumber("recoveries", c.WriterRecoveries);
        json.WriteNumber("usedBytes", c.UsedBytes);
        json.WriteNumber("fillPercent", Math.Round(c.FillLevel * 100, 2));
        json.WriteStartArray("readers");
        foreach (SharedChannelReaderInfo r in c.Readers)
        {
            json.WriteStartObject();
            json.WriteNumber("index", r.Index);
            json.WriteNumber("position", r.Position);
            json.WriteNumber("lag", r.Lag);
            json.WriteNumber("lostMessages", r.LostMessages);
            json.WriteBoolean("attached", r.IsAttached);
            WriteProcess(json, "pid", "alive", r.OwnerProcessId, r.IsOwnerAlive);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteOrNull(json, "damaged", c.Damage);
        json.WriteEndObject();
    }

    private static void WriteProcess(Utf8JsonWriter json, string pidName, string aliveName, int? pid, bool? alive)
    {
        if (pid is int p && alive is bool a)
        {
            json.WriteNumber(pidName, p);
            json.WriteBoolean(aliveName, a);
        }
        else
        {
            json.WriteNull(pidName);
            json.WriteNull(aliveName);
        }
    }

    private static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long n)
        {
            json.WriteNumber(name, n);
        }
    }
}
