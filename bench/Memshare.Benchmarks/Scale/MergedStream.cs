using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Memshare.Benchmarks.Ipc;

namespace Memshare.Benchmarks.Scale;

/// <summary>What one reader saw of several producers: the aggregate rate and each producer's share of it.</summary>
internal readonly record struct MergedRates(double Aggregate, double[] PerProducer);

/// <summary>The harness's side of the producers measurement: one reader of a multi-producer channel.</summary>
internal static class MergedStream
{
    /// <summary>
    /// Reads until every one of <paramref name="producers"/> has sent its end message, checking that each
    /// producer's sequence numbers arrive in order with none missing. The clock starts at the first message after
    /// <paramref name="warmup"/> and stops at the first end message, so the window is one in which every producer
    /// was still sending.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static MergedRates Consume(IMessageLink link, int producers, TimeSpan warmup, byte[] receive)
    {
        long warmupTicks = (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var expected = new long[producers];
        var counted = new long[producers];
        int ended = 0;
        long total = 0;
        long start = 0;
        long first = 0;
        long last = 0;
        while (ended < producers)
        {
            int length = link.Receive(receive);
            long sequence = MemoryMarshal.Read<long>(receive);
            int id = MemoryMarshal.Read<int>(receive.AsSpan(8));
            if (length != ScaleSettings.FanMessage || (uint)id >= (uint)producers)
            {
                throw new InvalidDataException($"Got {length} bytes from producer {id}; expected {ScaleSettings.FanMessage} bytes from producer 0 to {producers - 1}.");
            }

            if (sequence == ScalePeer.EndOfStream)
            {
                ended++;
                if (last == 0)
                {
                    last = Stopwatch.GetTimestamp();
                }

                continue;
            }

            if (sequence != expected[id])
            {
                throw new InvalidDataException($"Producer {id}: got message {sequence}, expected {expected[id]} (each producer's order must hold).");
            }

            expected[id]++;
            if (first != 0)
            {
                if (last == 0)
                {
                    counted[id]++;
                }
            }
            else if ((++total & 255) == 1)
            {
                long now = Stopwatch.GetTimestamp();
                if (total == 1)
                {
                    start = now;
                }
                else if (now - start >= warmupTicks)
                {
                    first = now;
                }
            }
        }

        if (first == 0 || last <= first)
        {
            throw new InvalidOperationException($"The producers' streams ended before the {warmup.TotalMilliseconds:F0} ms warm-up did ({total} messages).");
        }

        double seconds = (last - first) / (double)Stopwatch.Frequency;
        double[] perProducer = [.. counted.Select(c => c / seconds)];
        return new MergedRates(perProducer.Sum(), perProducer);
    }
}
