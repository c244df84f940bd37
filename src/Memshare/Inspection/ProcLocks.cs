using System.Globalization;

namespace Memshare.Inspection;

/// <summary>
/// Reads <c>/proc/locks</c> to count a region's holders: every Memshare holder keeps a shared <c>flock</c> on
/// its own descriptor, and the kernel lists each one.
/// </summary>
/// <remarks>
/// <para>A line looks like <c>1: FLOCK  ADVISORY  READ 1234 00:1b:5678 0 EOF</c>: device major and minor in
/// hex, then the inode in decimal. A process waiting for a lock is listed as <c>1: -&gt; FLOCK ...</c>; it does
/// not hold it, so it is not counted.</para>
/// <para>The kernel lists the locks consistently within one <c>read</c> call, but hands out at most a page
/// (about 80 locks) per call and resumes the next call by position: locks released in between shift later
/// ones, which are then skipped. So a listing that came in one read is exact, and a longer one is trusted only
/// when two consecutive listings agree.</para>
/// </remarks>
internal static class ProcLocks
{
    internal const string Path = "/proc/locks";

    /// <summary>How many times a multi-page listing is read while waiting for two that agree.</summary>
    private const int MaxAttempts = 5;

    /// <summary>Granted flock entries per file, or null if <c>/proc/locks</c> cannot be read consistently.</summary>
    internal static Dictionary<FileId, int>? ReadFlockCounts()
    {
        string? text;
        try
        {
            text = ReadConsistent();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (text is null)
        {
            return null;
        }

        var counts = new Dictionary<FileId, int>();
        foreach (string line in text.Split('\n'))
        {
            if (TryParseFlock(line, out FileId id))
            {
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        return counts;
    }

    private static string? ReadConsistent()
    {
        string? previous = null;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            string text = ReadOnce(out int reads);
            if (reads <= 1 || text == previous)
            {
                return text;
            }

            previous = text;
        }

        return null; // the lock table kept changing under us: the count is unknown
    }

    /// <summary>Reads the whole listing with one unbuffered read call per chunk; <paramref name="reads"/> counts the non-empty ones.</summary>
    private static string ReadOnce(out int reads)
    {
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        using var text = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        reads = 0;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            reads++;
            text.Write(buffer, 0, n);
        }

        return System.Text.Encoding.ASCII.GetString(text.GetBuffer(), 0, (int)text.Length);
    }

    /// <summary>Parses one line; true only for a granted FLOCK entry.</summary>
    internal static bool TryParseFlock(string line, out FileId id)
    {
        id = default;
        string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6 || fields[1] != "FLOCK")
        {
            return false;
        }

        string[] device = fields[5].Split(':');
        if (device.Length != 3
            || !uint.TryParse(device[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint major)
            || !uint.TryParse(device[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint minor)
            || !ulong.TryParse(device[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode))
        {
            return false;
        }

        id = new FileId(major, minor, inode);
        return true;
    }
}
