using System.Globalization;
using System.Text.Json;
using Memshare.Inspection;

namespace Memshare.Cli.Output;

/// <summary>
/// What <c>gc</c> prints. Text: one line per removed (or, in a dry run, stale) region, one per kept region
/// that has no holders but is not ours to remove, and a summary. JSON: <c>{"dryRun", "removed", "stale",
/// "kept"}</c>, each an array of <c>{"name", "kind", "size", "owner", "uid", "holders"}</c>, kept ones with a
/// <c>"reason"</c>: live, persistent, other-owner, unreadable or changed.
/// </summary>
internal static class GcReport
{
    private static readonly JsonWriterOptions s_options = new() { Indented = true };

    public static void WriteText(IReadOnlyList<StaleRegionResult> results, bool dryRun, TextWriter output)
    {
        long bytes = 0;
        int found = 0;
        var kept = new Dictionary<StaleRegionOutcome, int>();
        foreach ((SharedMemoryInfo region, StaleRegionOutcome outcome) in results)
        {
            if (outcome is StaleRegionOutcome.Removed or StaleRegionOutcome.Stale)
            {
                found++;
                bytes += region.Size;
                output.WriteLine($"{(dryRun ? "stale" : "removed")} {region.Name} ({RegionText.Kind(region.Format)}, {region.Size} bytes)");
                continue;
            }

            kept[outcome] = kept.GetValueOrDefault(outcome) + 1;
            if (region.Holders == 0 && !region.IsPersistent)
            {
                // Looks stale, but is not ours to remove: say why, so nobody wonders.
                output.WriteLine($"kept {region.Name} ({RegionText.Kind(region.Format)}, {region.Size} bytes): {Why(region, outcome)}");
            }
        }

        string regions = Messages.Count(found, "stale region");
        string summary = dryRun
            ? $"Found {regions} ({bytes} bytes); removed nothing (dry run)."
            : $"Removed {regions} ({bytes} bytes).";
        int keptCount = results.Count - found;
        if (keptCount > 0)
        {
            var parts = new List<string>();
            foreach ((StaleRegionOutcome outcome, int n) in kept.OrderBy(k => k.Key))
            {
                parts.Add($"{n} {Reason(outcome)}");
            }

            summary += $" Kept {keptCount}: {string.Join(", ", parts)}.";
        }

        output.WriteLine(summary);
    }

    public static void WriteJson(IReadOnlyList<StaleRegionResult> results, bool dryRun, Stream output)
    {
        using var json = new Utf8JsonWriter(output, s_options);
        json.WriteStartObject();
        json.WriteBoolean("dryRun", dryRun);
        WriteArray(json, "removed", results, StaleRegionOutcome.Removed);
        WriteArray(json, "stale", results, StaleRegionOutcome.Stale);
        json.WriteStartArray("kept");
        foreach ((SharedMemoryInfo region, StaleRegionOutcome outcome) in results)
        {
            if (outcome is not (StaleRegionOutcome.Removed or StaleRegionOutcome.Stale))
            {
                WriteRegion(json, region, Reason(outcome));
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteArray(Utf8JsonWriter json, string property, IReadOnlyList<StaleRegionResult> results, StaleRegionOutcome outcome)
    {
        json.WriteStartArray(property);
        foreach (StaleRegionResult result in results)
        {
            if (result.Outcome == outcome)
            {
                WriteRegion(json, result.Region, reason: null);
            }
        }

        json.WriteEndArray();
    }

    private static void WriteRegion(Utf8JsonWriter json, SharedMemoryInfo region, string? reason)
    {
        json.WriteStartObject();
        json.WriteString("name", region.Name);
        json.WriteString("kind", RegionText.Kind(region.Format));
        json.WriteNumber("size", region.Size);
        json.WriteString("owner", region.Owner);
        json.WriteNumber("uid", region.OwnerId);
        json.WriteString("lifetime", RegionText.Lifetime(region));
        if (region.Holders is int holders)
        {
            json.WriteNumber("holders", holders);
        }
        else
        {
            json.WriteNull("holders");
        }

        if (reason is not null)
        {
            json.WriteString("reason", reason);
        }

        json.WriteEndObject();
    }

    /// <summary>One word for JSON and the summary.</summary>
    private static string Reason(StaleRegionOutcome outcome) => outcome switch
    {
        StaleRegionOutcome.Live => "live",
        StaleRegionOutcome.Persistent => "persistent",
        StaleRegionOutcome.OtherOwner => "other-owner",
        StaleRegionOutcome.Unreadable => "unreadable",
        _ => "changed",
    };

    private static string Why(SharedMemoryInfo region, StaleRegionOutcome outcome) => outcome switch
    {
        StaleRegionOutcome.OtherOwner => string.Create(CultureInfo.InvariantCulture,
            $"owned by {region.Owner} (uid {region.OwnerId}), not you; only its owner's gc removes it"),
        StaleRegionOutcome.Unreadable => "you may not open it to check for holders",
        StaleRegionOutcome.Live => "a process took hold of it meanwhile",
        _ => "it was replaced meanwhile; run gc again",
    };
}
