using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Memshare.TestChild;
#if PUBLIC_API_ONLY
using Memshare.Conformance.Infrastructure;
#else
// Memshare.Tests compiles this file too (see its csproj), with its own child runner and scope.
using Memshare.Tests.Infrastructure;
using RegionScope = Memshare.Tests.Infrastructure.ShmScope;
#endif

namespace Memshare.Conformance;

/// <summary>What a validating reader saw: how many reads, how many were torn, how many versions went by.</summary>
public sealed class TornStats
{
    public long Reads { get; set; }

    public long Torn { get; set; }

    public string? FirstTorn { get; set; }

    /// <summary>Times a reader saw an older version of one writer after a newer one.</summary>
    public long Regressions { get; set; }

    /// <summary>Times consecutive reads returned different versions.</summary>
    public long Changes { get; set; }

    /// <summary>The newest version seen, per writer phase (k mod stride).</summary>
    public long[] Latest { get; } = [-1, -1];

    public override string ToString() =>
        $"{Reads} reads, {Changes} version changes, {Torn} torn{(FirstTorn is null ? "" : $" (first: '{FirstTorn}')")}, {Regressions} regressions";
}

/// <summary>
/// Read loops that validate every value (see <see cref="Patterns"/> and <see cref="Octet"/>), plus the helpers
/// for the writer processes they run against. Every loop is bounded by a deadline.
/// </summary>
internal static class TornReads
{
    /// <summary>Offsets in a value or string region: the writer lock word and the recoveries counter (see docs/format.md).</summary>
    public const int WriterLockOffset = 72;
    public const int RecoveriesOffset = 80;

    private static readonly TimeSpan HangDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Reads the slot until at least <paramref name="minReads"/> reads and <paramref name="minChanges"/> version changes.</summary>
    public static void ReadStrings(SharedString slot, TornStats stats, long minReads, long minChanges, int stride = 1)
    {
        var buffer = new byte[slot.Capacity];
        long start = Stopwatch.GetTimestamp();
        long reads = 0;
        long changes = 0;
        long previous = long.MinValue;
        while (reads < minReads || changes < minChanges)
        {
            // Alternate between the allocating and the span overloads; both must be untorn.
            string text = (reads & 1) == 0 ? slot.Get() : Encoding.UTF8.GetString(buffer, 0, slot.Get(buffer));
            reads++;
            if (!Patterns.TryParseString(text, out long k))
            {
                stats.Torn++;
                stats.FirstTorn ??= text;
            }
            else
            {
                Observe(stats, k, stride, ref previous, ref changes);
            }

            if ((reads & 1023) == 0 && Stopwatch.GetElapsedTime(start) > HangDeadline)
            {
                break;
            }
        }

        stats.Reads += reads;
        stats.Changes += changes;
    }

    /// <summary>As <see cref="ReadStrings"/>, for a value whose eight fields must all be equal.</summary>
    public static void ReadValues(SharedValue<Octet> value, TornStats stats, long minReads, long minChanges, int stride = 1)
    {
        long start = Stopwatch.GetTimestamp();
        long reads = 0;
        long changes = 0;
        long previous = long.MinValue;
        while (reads < minReads || changes < minChanges)
        {
            Octet v = value.Read();
            reads++;
            if (!v.IsConsistent)
            {
                stats.Torn++;
                stats.FirstTorn ??= v.ToString();
            }
            else
            {
                Observe(stats, v.A, stride, ref previous, ref changes);
            }

            if ((reads & 1023) == 0 && Stopwatch.GetElapsedTime(start) > HangDeadline)
            {
                break;
            }
        }

        stats.Reads += reads;
        stats.Changes += changes;
    }

    /// <summary>Waits for a writer's "ready K" and returns K, the first version it wrote.</summary>
    public static long Ready(Child writer)
    {
        string line = writer.ReadLine();
        Assert.True(line.StartsWith("ready ", StringComparison.Ordinal), $"writer said '{line}'; stderr: {writer.Stderr}");
        return long.Parse(line.AsSpan(6), CultureInfo.InvariantCulture);
    }

    /// <summary>Stops a writer and returns how many writes it made.</summary>
    public static long Stop(Child writer)
    {
        writer.WriteLine("stop");
        string line = writer.ReadLine();
        Assert.True(line.StartsWith("done ", StringComparison.Ordinal), $"writer said '{line}'; stderr: {writer.Stderr}");
        Assert.Equal(0, writer.WaitForExit());
        return long.Parse(line.AsSpan(5), CultureInfo.InvariantCulture);
    }

    /// <summary>The region's writer-lock word and recoveries counter, read as another program would.</summary>
    public static (ulong Lock, ulong Recoveries) LockState(string name)
    {
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        return (BinaryPrimitives.ReadUInt64LittleEndian(raw.ReadOnlySpan[WriterLockOffset..]),
                BinaryPrimitives.ReadUInt64LittleEndian(raw.ReadOnlySpan[RecoveriesOffset..]));
    }

    private static void Observe(TornStats stats, long k, int stride, ref long previous, ref long changes)
    {
        if (k != previous)
        {
            changes++;
            previous = k;
        }

        if (k < 0)
        {
            return; // the empty initial string
        }

        int phase = (int)(k % stride);
        if (k < stats.Latest[phase])
        {
            stats.Regressions++;
        }

        stats.Latest[phase] = Math.Max(stats.Latest[phase], k);
    }
}
