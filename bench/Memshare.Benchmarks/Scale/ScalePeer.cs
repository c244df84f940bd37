using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Memshare.Benchmarks.Harness;
using Memshare.Benchmarks.Ipc;

namespace Memshare.Benchmarks.Scale;

/// <summary>
/// The hidden <c>scale-peer ROLE CHANNEL INDEX spin|blocking</c> subcommand: one broadcast reader or one
/// multi-producer writer. It attaches, says "ready", then runs one command per stdin line:
/// <c>consume WARMUP_MS</c> (reader: check every sequence number until the empty end message; answer "done MSGS_PER_S"),
/// <c>produce MS</c> (writer: send 64 B messages numbered per producer for MS ms, then its end message; "done"),
/// <c>quit</c>. It exits when its stdin closes.
/// </summary>
internal static class ScalePeer
{
    internal const string Reader = "reader";
    internal const string Producer = "producer";

    /// <summary>The sequence number of a producer's end message.</summary>
    internal const long EndOfStream = -1;

    internal static int Run(string[] args) => PeerCommands.Run("scale-peer", args, () =>
    {
        if (args.Length != 4 || args[0] is not (Reader or Producer) || args[3] is not ("spin" or "blocking"))
        {
            throw new ArgumentException("usage: scale-peer reader|producer CHANNEL INDEX spin|blocking");
        }

        int index = int.Parse(args[2], CultureInfo.InvariantCulture);
        bool blocking = args[3] == "blocking";
        using SharedChannel channel = SharedChannel.OpenExisting(args[1]);
        return args[0] == Reader ? RunReader(channel, index, blocking) : RunProducer(channel, index, blocking);
    });

    private static int RunReader(SharedChannel channel, int index, bool blocking)
    {
        // Attached before "ready": a broadcast reader sees only what is written after it attaches.
        using SharedChannelReader reader = channel.CreateReader(index);
        var end = new ChannelEnd(reader, blocking);
        var receive = new byte[IpcSettings.MaxMessage];
        return PeerCommands.Serve(words =>
        {
            if (words[0] != "consume")
            {
                return null;
            }

            var warmup = TimeSpan.FromMilliseconds(int.Parse(words[1], CultureInfo.InvariantCulture));
            double rate = Measure.Consume(end, ScaleSettings.FanMessage, warmup, receive, out _);
            return "done " + rate.ToString("F0", CultureInfo.InvariantCulture);
        });
    }

    private static int RunProducer(SharedChannel channel, int id, bool blocking)
    {
        using SharedChannelWriter writer = channel.CreateWriter();
        var end = new ChannelEnd(writer, blocking);
        return PeerCommands.Serve(words =>
        {
            if (words[0] != "produce")
            {
                return null;
            }

            Produce(end, id, TimeSpan.FromMilliseconds(int.Parse(words[1], CultureInfo.InvariantCulture)));
            return "done";
        });
    }

    /// <summary>
    /// 64 B messages carrying (sequence, producer id) for <paramref name="duration"/>, then (<see cref="EndOfStream"/>, id);
    /// checks the clock every 256 messages.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Produce(ChannelEnd end, int id, TimeSpan duration)
    {
        long stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (long sequence = 0; ; sequence++)
        {
            Send(end, sequence, id);
            if ((sequence & 255) == 255 && Stopwatch.GetTimestamp() >= stop)
            {
                break;
            }
        }

        Send(end, EndOfStream, id);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Send(ChannelEnd end, long sequence, int id)
    {
        Span<byte> message = end.SendBuffer(ScaleSettings.FanMessage);
        MemoryMarshal.Write(message, in sequence);
        MemoryMarshal.Write(message[8..], in id);
        end.Send(ScaleSettings.FanMessage);
    }
}
