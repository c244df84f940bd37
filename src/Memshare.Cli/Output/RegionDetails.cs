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

    private static string Count(long? value, string unit) => value is long n ? $"{n} {unit}" : "?";
}
