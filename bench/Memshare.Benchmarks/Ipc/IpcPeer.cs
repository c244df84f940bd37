using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Memshare.Benchmarks.Harness;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// The hidden <c>ipc-peer TRANSPORT ARGS...</c> subcommand: the other process of every measurement. It connects,
/// says "ready", then runs one command per stdin line and says "done" after each:
/// <c>echo</c> (send every message back until an empty one), <c>stream SIZE MS</c> (send SIZE-byte messages for MS
/// milliseconds, then an empty one), <c>event</c> (answer ping with pong until stop is set), <c>quit</c>.
/// It exits when its stdin closes, so it never outlives the harness for long.
/// </summary>
internal static class IpcPeer
{
    internal const string EventTransport = "memshare-event";

    internal static int Run(string[] args) => PeerCommands.Run("ipc-peer", args, () =>
    {
        if (args.Length < 2)
        {
            throw new ArgumentException("usage: ipc-peer TRANSPORT ARGS...");
        }

        return args[0] == EventTransport ? RunEvents(args[1]) : Transport.Find(args[0]).ServePeer(args[1..]);
    });

    internal static int RunLink(Transport transport, string[] args)
    {
        using IMessageLink link = transport.Connect(args);
        return PeerCommands.Serve(words =>
        {
            switch (words[0])
            {
                case "echo":
                    Echo(link);
                    return "done";
                case "stream":
                    int size = int.Parse(words[1], CultureInfo.InvariantCulture);
                    var duration = TimeSpan.FromMilliseconds(int.Parse(words[2], CultureInfo.InvariantCulture));
                    Stream(link, size, duration);
                    return "done";
                default:
                    return null;
            }
        });
    }

    private static int RunEvents(string name)
    {
        using SharedEvent ping = SharedEvent.OpenExisting(name + ".ping");
        using SharedEvent pong = SharedEvent.OpenExisting(name + ".pong");
        using SharedEvent stop = SharedEvent.OpenExisting(name + ".stop");
        return PeerCommands.Serve(words =>
        {
            if (words is not ["event"])
            {
                return null;
            }

            AnswerPings(ping, pong, stop);
            return "done";
        });
    }

    /// <summary>Sends every message back until an empty one (which it does not echo).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Echo(IMessageLink link)
    {
        while (true)
        {
            Span<byte> buffer = DirectCall.SendBuffer(link, IpcSettings.MaxMessage);
            int length = DirectCall.Receive(link, buffer);
            if (length == 0)
            {
                return;
            }

            DirectCall.Send(link, length);
        }
    }

    /// <summary>Sends numbered messages as fast as the link takes them; checks the clock every 256.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Stream(IMessageLink link, int size, TimeSpan duration)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (long sequence = 0; ; sequence++)
        {
            MemoryMarshal.Write(DirectCall.SendBuffer(link, size), in sequence);
            DirectCall.Send(link, size);
            if ((sequence & 255) == 255 && Stopwatch.GetTimestamp() >= end)
            {
                break;
            }
        }

        _ = DirectCall.SendBuffer(link, 0);
        DirectCall.Send(link, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AnswerPings(SharedEvent ping, SharedEvent pong, SharedEvent stop)
    {
        while (true)
        {
            if (!ping.Wait(IpcSettings.StallLimit))
            {
                throw new TimeoutException("No ping; the harness is gone or stuck.");
            }

            if (stop.IsSet)
            {
                return;
            }

            pong.Set();
        }
    }
}
