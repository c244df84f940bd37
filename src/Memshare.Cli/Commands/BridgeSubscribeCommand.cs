using System.CommandLine;
using Memshare.Nats;
using NATS.Client.Core;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare bridge subscribe SUBJECT --nats URL --channel CHANNEL [--stream NAME] [--durable NAME] [--until-complete]</c>:
/// forwards a JetStream subject's messages into a channel until interrupted.
/// </summary>
internal static class BridgeSubscribeCommand
{
    public static Command Create()
    {
        Argument<string> subject = new("subject") { Description = "The subject to consume." };
        Option<string> nats = BridgeCommand.NatsUrl();
        Option<string> channelName = new("--channel") { HelpName = "name", Description = "The channel to write into; the bridge holds its writer role.", Required = true };
        Option<string?> stream = BridgeCommand.Stream();
        Option<string?> durable = new("--durable") { HelpName = "name", Description = "The durable consumer's name (default memshare-<channel>)." };
        Option<bool> untilComplete = new("--until-complete") { Description = "Exit 0 once the publishing side's completion has been applied (the channel marked complete), instead of running until interrupted." };
        Option<int?> capacity = BridgeCommand.Capacity();
        Option<ChannelMode?> mode = Symbols.ChannelModeOption();
        Option<TimeSpan?> reconnect = BridgeCommand.ReconnectTimeout();
        var command = new Command("subscribe", "Forward a NATS JetStream subject's messages, in order, into a channel, through a durable consumer. Creates the channel (persistent) and the stream if absent. Each message is committed with its stream sequence number as the channel's checkpoint and acknowledged after that, so a bridge killed at any moment and started again writes each message exactly once. While the channel is full it fetches nothing more. A completion from 'bridge publish' marks the channel complete, so 'memshare recv' ends. Runs until interrupted (130/143, with a progress line on stderr) or, with --until-complete, exits 0 after the completion; 8 if the server is unreachable.")
        {
            subject,
            nats,
            channelName,
            stream,
            durable,
            untilComplete,
            capacity,
            mode,
            reconnect,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(subject), parse.GetRequiredValue(nats), parse.GetRequiredValue(channelName), parse.GetValue(stream),
            parse.GetValue(durable), parse.GetValue(untilComplete), parse.GetValue(capacity), parse.GetValue(mode), parse.GetValue(reconnect)));
        return command;
    }

    private static int Run(string subject, string url, string name, string? stream, string? durable, bool untilComplete, int? capacity, ChannelMode? mode, TimeSpan? reconnect)
    {
        using SharedChannel channel = BridgeCommand.OpenChannel(name, capacity, mode);
        NatsConnection connection = BridgeCommand.Connect(url); // disposed by BridgeCommand.Run
        var bridge = new JetStreamSubscriber(connection, channel, new JetStreamSubscriberOptions
        {
            Subject = subject,
            Stream = stream,
            Durable = durable,
            StopAtCompletion = untilComplete,
            ReconnectTimeout = reconnect ?? TimeSpan.FromSeconds(30),
        });
        string Progress() => $"forwarded {Messages.Count(bridge.MessagesForwarded, "message")} ({bridge.BytesForwarded} bytes) from subject '{subject}' to channel '{name}', up to stream sequence {bridge.LastAppliedSequence}"
            + (bridge.ConsumersRecreated > 0 ? $" (a stalled consumer replaced {Messages.Count(bridge.ConsumersRecreated, "time")})" : "");
        BridgeCommand.Run(connection, bridge.RunAsync, Progress);
        Console.Error.WriteLine($"memshare: {Progress()}; the channel is marked complete.");
        return ExitCodes.Success;
    }
}
