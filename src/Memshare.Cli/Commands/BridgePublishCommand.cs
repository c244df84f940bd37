using System.CommandLine;
using Memshare.Nats;
using NATS.Client.Core;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare bridge publish CHANNEL --nats URL --subject SUBJECT [--stream NAME] [--reader INDEX]</c>: forwards a
/// channel's messages to a JetStream subject; exits 0 once a completed channel has been forwarded entirely.
/// </summary>
internal static class BridgePublishCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<string> nats = BridgeCommand.NatsUrl();
        Option<string> subject = new("--subject") { HelpName = "subject", Description = "The subject to publish to.", Required = true };
        Option<string?> stream = BridgeCommand.Stream();
        Option<int> reader = new("--reader") { HelpName = "index", Description = "The reader index to read the channel as (0 unless broadcast). Its position is the bridge's: a restarted bridge resumes there.", DefaultValueFactory = _ => 0 };
        Option<int?> capacity = BridgeCommand.Capacity();
        Option<ChannelMode?> mode = Symbols.ChannelModeOption();
        Option<TimeSpan?> reconnect = BridgeCommand.ReconnectTimeout();
        var command = new Command("publish", "Forward a channel's messages, in order, to a NATS JetStream subject. Creates the channel (persistent) if absent, and the stream if absent. A message leaves the channel only once the server has stored it, and carries an id made of the channel's identity and its sequence number, so a bridge killed at any moment and started again sends each message exactly once. Exits 0, printing a progress line on stderr, once the channel is completed (its 'send' reached the end of input) and every message and the completion are stored; 130/143 on SIGINT/SIGTERM; 8 if the server is unreachable.")
        {
            name,
            nats,
            subject,
            stream,
            reader,
            capacity,
            mode,
            reconnect,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetRequiredValue(nats), parse.GetRequiredValue(subject), parse.GetValue(stream),
            parse.GetValue(reader), parse.GetValue(capacity), parse.GetValue(mode), parse.GetValue(reconnect)));
        return command;
    }

    private static int Run(string name, string url, string subject, string? stream, int index, int? capacity, ChannelMode? mode, TimeSpan? reconnect)
    {
        using SharedChannel channel = BridgeCommand.OpenChannel(name, capacity, mode);
        if (index < 0 || index >= channel.MaxReaders)
        {
            throw new ArgumentException(Messages.Format(Messages.BadReaderIndex, name, index, channel.MaxReaders, channel.MaxReaders - 1));
        }

        NatsConnection connection = BridgeCommand.Connect(url); // disposed by BridgeCommand.Run
        var bridge = new JetStreamPublisher(channel, connection, new JetStreamPublisherOptions
        {
            Subject = subject,
            Stream = stream,
            ReaderIndex = index,
            ReconnectTimeout = reconnect ?? TimeSpan.FromSeconds(30),
        });
        string Progress() => $"forwarded {Messages.Count(bridge.MessagesForwarded, "message")} ({bridge.BytesForwarded} bytes) from channel '{name}' to subject '{subject}'";
        BridgeCommand.Run(connection, bridge.RunAsync, Progress);
        Console.Error.WriteLine($"memshare: {Progress()}; the channel is complete and so is the subject.");
        return ExitCodes.Success;
    }
}
