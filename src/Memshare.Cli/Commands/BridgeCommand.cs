using System.CommandLine;
using Memshare.Nats;
using NATS.Client.Core;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare bridge publish|subscribe</c>: a channel forwarded through NATS JetStream, so that
/// <c>send a | bridge publish a …</c> on one host and <c>bridge subscribe … --channel b | recv b</c> on another
/// behave like a pipe across the network (see Memshare.Nats for the guarantees).
/// </summary>
internal static class BridgeCommand
{
    /// <summary>The capacity of a channel the bridge creates when none is given: 1 MiB.</summary>
    public const int DefaultCapacity = 1 << 20;

    /// <summary>How long a finished bridge waits for the NATS client to close before the process exits anyway.</summary>
    private static readonly TimeSpan DisposeLimit = TimeSpan.FromSeconds(5);

    public static Command Create() =>
        new("bridge", "Forward a channel to a NATS JetStream subject (publish) or a subject into a channel (subscribe): in order and exactly once, across kills of either bridge and server restarts; completion travels. Exit 8 if the NATS server is unreachable (or stays away longer than --reconnect-timeout).")
        {
            BridgePublishCommand.Create(),
            BridgeSubscribeCommand.Create(),
        };

    public static Option<string> NatsUrl() =>
        new("--nats") { HelpName = "url", Description = "The NATS server, e.g. nats://host:4222 (default nats://127.0.0.1:4222).", DefaultValueFactory = _ => "nats://127.0.0.1:4222" };

    public static Option<string?> Stream() =>
        new("--stream") { HelpName = "name", Description = "The JetStream stream storing the subject. Without it, the stream that stores the subject, or a new one named MEMSHARE_<subject> (file storage, no limits, 2-minute duplicate window)." };

    public static Option<TimeSpan?> ReconnectTimeout()
    {
        Option<TimeSpan?> option = Symbols.Timeout("How long to ride out an unreachable NATS server before exiting 8 (default 30s).");
        return new Option<TimeSpan?>("--reconnect-timeout")
        {
            Description = option.Description,
            CustomParser = option.CustomParser,
        };
    }

    public static Option<int?> Capacity() =>
        Symbols.ChannelCapacity($"If the channel does not exist, create it (persistent) with a ring of this many bytes (default {DefaultCapacity}).");

    /// <summary>Opens the channel, creating it (persistent, default capacity) if absent.</summary>
    public static SharedChannel OpenChannel(string name, int? capacity, ChannelMode? mode) =>
        capacity is null && mode is null && SharedChannel.TryOpenExisting(name, out SharedChannel? existing)
            ? existing
            : ChannelOpener.Open(name, capacity ?? DefaultCapacity, mode, out _);

    public static NatsConnection Connect(string url) =>
        new(new NatsOpts { Url = url, Name = "memshare-bridge", ConnectTimeout = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(5) });

    /// <summary>Runs a bridge to its end or the first signal; a signal becomes <see cref="InterruptedBySignalException"/> carrying <paramref name="progress"/>.</summary>
    public static void Run(NatsConnection connection, Func<CancellationToken, Task> bridge, Func<string> progress)
    {
        using var interruption = new Interruption();
        try
        {
            bridge(interruption.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (interruption.Signal != 0)
        {
            throw new InterruptedBySignalException(interruption.Signal, $"Interrupted by {Interruption.NameOf(interruption.Signal)}: {progress()}.");
        }
        catch (Exception e) when (e is not InterruptedBySignalException)
        {
            ExitCodes.WriteError(progress() + ".");
            throw;
        }
        finally
        {
            // The process exits next, and the OS closes the socket: a client that does not finish closing in time
            // (NATS.Net's dispose has been seen to wait for ever, nats-io/nats.net#924) must not keep it alive.
            // Started on the thread pool, so the bound holds even if the dispose blocks the thread that calls it.
            _ = Task.Run(() => connection.DisposeAsync().AsTask()).Wait(DisposeLimit);
        }
    }
}
