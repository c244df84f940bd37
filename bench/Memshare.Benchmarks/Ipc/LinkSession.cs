using System.Globalization;
using Memshare.Benchmarks.Harness;

namespace Memshare.Benchmarks.Ipc;

/// <summary>How long a <see cref="LinkSession"/> measures: what <see cref="IpcSettings"/> and the scale harness's size sweep share.</summary>
internal interface ILinkSettings
{
    /// <summary>Untimed 64 B ping-pong at the start of each peer process, so both sides' code is fully compiled.</summary>
    TimeSpan SessionWarmup { get; }

    /// <summary>Untimed round trips before each size's timed ones.</summary>
    int RoundTripWarmup { get; }

    /// <summary>Timed round trips per size, per repetition.</summary>
    int RoundTrips { get; }

    /// <summary>Streaming discarded before a size's throughput clock starts.</summary>
    TimeSpan StreamWarmup { get; }

    /// <summary>Timed streaming per size, per repetition.</summary>
    TimeSpan StreamDuration { get; }
}

/// <summary>One <c>ipc-peer</c> process for one transport, one repetition: warm-up, round trips at each size, then streams at each size.</summary>
internal static class LinkSession
{
    /// <summary>
    /// Runs the session, recording under the transport's name; <paramref name="more"/>, if given, measures more on the
    /// same link and peer before the peer quits.
    /// </summary>
    internal static void Run(Transport transport, ILinkSettings s, int[] sizes, IpcResults results, int rep, Action<IMessageLink, PeerProcess, byte[]>? more = null)
    {
        var receive = new byte[IpcSettings.MaxMessage];
        using Endpoint endpoint = transport.Listen(SessionLoop.NextName());
        using PeerProcess peer = PeerProcess.Start([transport.Name, .. endpoint.PeerArgs]);
        IMessageLink? link = null;
        try
        {
            endpoint.PeerStarted();
            peer.Expect("ready");
            link = endpoint.Accept(IpcSettings.StallLimit);
            RunPhases(link, peer, transport.Name, s, sizes, results, rep, receive);
            more?.Invoke(link, peer, receive);
            peer.Quit();
        }
        finally
        {
            // The peer goes first (killed if it has not quit), so this process holds the last handle to any shared
            // memory and its Dispose removes it: a region whose last holder is killed stays behind in /dev/shm.
            peer.Dispose();
            link?.Dispose();
        }
    }

    private static void RunPhases(IMessageLink link, PeerProcess peer, string name, ILinkSettings s, int[] sizes, IpcResults results, int rep, byte[] receive)
    {
        SessionLoop.Begin(peer, "echo");
        Measure.WarmUp(link, s.SessionWarmup, receive);
        peer.Expect("done");

        foreach (int size in sizes)
        {
            SessionLoop.Begin(peer, "echo");
            RoundTripStats rtt = Measure.RoundTrips(link, size, s.RoundTripWarmup, s.RoundTrips, TimeSpan.Zero, receive);
            peer.Expect("done");
            results.AddRoundTrips(name, size, rep, rtt);
        }

        foreach (int size in sizes)
        {
            int ms = (int)(s.StreamWarmup + s.StreamDuration).TotalMilliseconds;
            SessionLoop.Begin(peer, string.Create(CultureInfo.InvariantCulture, $"stream {size} {ms}"));
            link.BeginStream(size, TimeSpan.FromMilliseconds(ms));
            double rate = Measure.Consume(link, size, s.StreamWarmup, receive, out _);
            peer.Expect("done");
            results.Add(name, size, IpcResults.MessagesPerSecond, rep, rate);
        }
    }
}
