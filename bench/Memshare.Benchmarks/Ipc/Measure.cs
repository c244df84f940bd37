using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Memshare.Benchmarks.Ipc;

/// <summary>Round-trip percentiles in nanoseconds.</summary>
internal readonly record struct RoundTripStats(double P50, double P90, double P99, double P999)
{
    /// <summary>Percentiles of <paramref name="ticks"/> (Stopwatch ticks; sorted in place), picked as floor.c picks them.</summary>
    internal static RoundTripStats FromTicks(long[] ticks)
    {
        Array.Sort(ticks);
        double ns = 1e9 / Stopwatch.Frequency;
        int n = ticks.Length;
        return new(ticks[n / 2] * ns, ticks[n * 90 / 100] * ns, ticks[n * 99 / 100] * ns, ticks[n * 999 / 1000] * ns);
    }
}

/// <summary>
/// The harness's side of each phase. The loops are compiled fully optimized at once
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>); what they call tiers up during the session's warm-up.
/// </summary>
internal static class Measure
{
    /// <summary>64 B ping-pong for <paramref name="duration"/>, untimed: lets both processes' code reach its final tier.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WarmUp(IMessageLink link, TimeSpan duration, byte[] receive)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (long i = 0; Stopwatch.GetTimestamp() < end; i++)
        {
            RoundTrip(link, 64, i, receive);
        }

        EndPhase(link);
    }

    /// <summary>
    /// <paramref name="count"/> timed round trips after <paramref name="warmup"/> untimed ones; the peer echoes each
    /// message. With <paramref name="idle"/> &gt; 0 the harness sleeps that long before each, so the peer is idle.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static RoundTripStats RoundTrips(IMessageLink link, int size, int warmup, int count, TimeSpan idle, byte[] receive)
    {
        var ticks = new long[count];
        int sleepMs = (int)idle.TotalMilliseconds;
        for (int i = 0; i < warmup + count; i++)
        {
            if (sleepMs > 0)
            {
                Thread.Sleep(sleepMs);
            }

            long elapsed = RoundTrip(link, size, i, receive);
            if (i >= warmup)
            {
                ticks[i - warmup] = elapsed;
            }
        }

        EndPhase(link);
        return RoundTripStats.FromTicks(ticks);
    }

    /// <summary>
    /// Consumes a stream of <paramref name="size"/>-byte messages until the end marker, checking each one's sequence
    /// number. The clock starts at the first message after <paramref name="warmup"/> and stops at the end marker,
    /// which the peer sends right after its last message. Returns messages per second. A stream too slow to outlast
    /// the warm-up (a badly overloaded machine) is timed from its first message instead. <paramref name="messages"/>
    /// counts every message, the warm-up's too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Consume(IMessageLink link, int size, TimeSpan warmup, byte[] receive, out long messages)
    {
        long warmupTicks = (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        long expected = 0;
        long counted = 0;
        long first = 0;
        long start = 0;
        while (true)
        {
            int length = DirectCall.Receive(link, receive);
            if (length == 0)
            {
                break;
            }

            if (length != size || MemoryMarshal.Read<long>(receive) != expected)
            {
                throw new InvalidDataException($"Stream message {expected}: got {length} bytes with sequence number {MemoryMarshal.Read<long>(receive)}; expected {size} bytes and {expected}.");
            }

            expected++;
            if (first != 0)
            {
                counted++;
            }
            else if ((expected & 255) == 1)
            {
                long now = Stopwatch.GetTimestamp();
                if (expected == 1)
                {
                    start = now;
                }
                else if (now - start >= warmupTicks)
                {
                    first = now;
                }
            }
        }

        long last = Stopwatch.GetTimestamp();
        messages = expected;
        if (first == 0)
        {
            (first, counted) = (start, expected - 1);
        }

        return counted > 0 && last > first
            ? counted / ((last - first) / (double)Stopwatch.Frequency)
            : throw new InvalidOperationException($"The stream carried only {expected} messages.");
    }

    /// <summary>
    /// SharedEvent ping-pong: set ping, wait for pong; untimed for <paramref name="warmup"/>, then
    /// <paramref name="count"/> timed round trips. Ends the phase by setting the stop event, then ping.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static RoundTripStats EventRoundTrips(SharedEvent ping, SharedEvent pong, SharedEvent stop, TimeSpan warmup, int count)
    {
        long warmEnd = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmEnd)
        {
            _ = EventRoundTrip(ping, pong);
        }

        var ticks = new long[count];
        for (int i = 0; i < count; i++)
        {
            ticks[i] = EventRoundTrip(ping, pong);
        }

        stop.Set();
        ping.Set();
        return RoundTripStats.FromTicks(ticks);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long EventRoundTrip(SharedEvent ping, SharedEvent pong)
    {
        long start = Stopwatch.GetTimestamp();
        ping.Set();
        if (!pong.Wait(IpcSettings.StallLimit))
        {
            throw new TimeoutException("The peer stopped answering the ping event.");
        }

        return Stopwatch.GetTimestamp() - start;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long RoundTrip(IMessageLink link, int size, long sequence, byte[] receive)
    {
        MemoryMarshal.Write(DirectCall.SendBuffer(link, size), in sequence);
        long start = Stopwatch.GetTimestamp();
        DirectCall.Send(link, size);
        int length = DirectCall.Receive(link, receive);
        long elapsed = Stopwatch.GetTimestamp() - start;
        if (length != size || MemoryMarshal.Read<long>(receive) != sequence)
        {
            throw new InvalidDataException($"Echo {sequence}: got {length} bytes with sequence number {MemoryMarshal.Read<long>(receive)}; expected {size} bytes and {sequence}.");
        }

        return elapsed;
    }

    /// <summary>Sends the end-of-phase marker (an empty message).</summary>
    private static void EndPhase(IMessageLink link)
    {
        _ = DirectCall.SendBuffer(link, 0);
        DirectCall.Send(link, 0);
    }
}
