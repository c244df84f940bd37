using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Memshare.Nats;

/// <summary>
/// The bridges' progress as System.Diagnostics.Metrics instruments on the meter <c>Memshare.Nats</c>:
/// <c>memshare.bridge.messages</c> and <c>memshare.bridge.bytes</c> (counters of messages and payload bytes
/// forwarded), <c>memshare.bridge.lag</c> (a gauge: messages waiting to be forwarded) and
/// <c>memshare.bridge.consumer_recreations</c> (a counter: stalled consumers a subscriber replaced, see
/// <see cref="JetStreamSubscriber.ConsumersRecreated"/>), each tagged with <c>memshare.bridge.direction</c>
/// (<c>publish</c> or <c>subscribe</c>) and <c>memshare.channel</c>.
/// </summary>
public static class BridgeMetrics
{
    /// <summary>The meter's name, for <c>MeterListener</c> or OpenTelemetry's <c>AddMeter</c>.</summary>
    public const string MeterName = "Memshare.Nats";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<IBridgeProgress, byte> Active = new();
    private static readonly Counter<long> MessagesCounter = Meter.CreateCounter<long>("memshare.bridge.messages", "{message}", "Messages forwarded by Memshare bridges.");
    private static readonly Counter<long> BytesCounter = Meter.CreateCounter<long>("memshare.bridge.bytes", "By", "Payload bytes forwarded by Memshare bridges.");
    private static readonly Counter<long> RecreationsCounter = Meter.CreateCounter<long>("memshare.bridge.consumer_recreations", "{consumer}", "Stalled JetStream consumers that Memshare subscriber bridges replaced.");

    static BridgeMetrics()
    {
        _ = Meter.CreateObservableGauge("memshare.bridge.lag", ObserveLag, "{message}", "Messages waiting to be forwarded by each Memshare bridge.");
    }

    internal static void Add(IBridgeProgress bridge, long messages, long bytes)
    {
        if (MessagesCounter.Enabled)
        {
            MessagesCounter.Add(messages, new(DirectionTag, bridge.Direction), new(ChannelTag, bridge.ChannelName));
            BytesCounter.Add(bytes, new(DirectionTag, bridge.Direction), new(ChannelTag, bridge.ChannelName));
        }
    }

    internal static void ConsumerRecreated(IBridgeProgress bridge) =>
        RecreationsCounter.Add(1, new(DirectionTag, bridge.Direction), new(ChannelTag, bridge.ChannelName));

    internal static void Register(IBridgeProgress bridge) => Active.TryAdd(bridge, 0);

    internal static void Unregister(IBridgeProgress bridge) => Active.TryRemove(bridge, out _);

    private const string DirectionTag = "memshare.bridge.direction";
    private const string ChannelTag = "memshare.channel";

    private static IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (IBridgeProgress bridge in Active.Keys)
        {
            yield return new Measurement<long>(bridge.Lag, new(DirectionTag, bridge.Direction), new(ChannelTag, bridge.ChannelName));
        }
    }
}

/// <summary>What <see cref="BridgeMetrics"/> reads from a running bridge.</summary>
internal interface IBridgeProgress
{
    string Direction { get; }

    string ChannelName { get; }

    long Lag { get; }
}
