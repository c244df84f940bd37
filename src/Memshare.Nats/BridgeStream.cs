using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Memshare.Nats;

/// <summary>Finds the stream that stores a subject, or creates one with the bridge's settings.</summary>
/// <remarks>
/// A stream the bridge creates has:
/// <list type="bullet">
/// <item>file storage, so messages survive a server restart (memory storage would lose them);</item>
/// <item>limits retention with no limit on messages, bytes or age: a limit would silently drop messages a slow or
/// stopped subscriber has not read yet, which breaks exactly-once. Operators who want limits (or replicas in a
/// cluster) create the stream themselves; the bridge never changes an existing stream;</item>
/// <item>a 2-minute duplicate window (the server's default). It covers re-sends after a failed or reconnected
/// publish and a bridge restarted by a supervisor; a publisher restarted later also looks up the last message it
/// stored (see <see cref="JetStreamPublisher"/>), so it does not depend on the window. A longer window costs server
/// memory in proportion to the message rate.</item>
/// </list>
/// </remarks>
internal static class BridgeStream
{
    /// <summary>JetStream's error code for "stream name already in use".</summary>
    private const int StreamNameInUse = 10058;

    /// <summary>JetStream's error code for "subjects overlap with an existing stream".</summary>
    private const int SubjectsOverlap = 10065;

    /// <summary>The stream name used when none is given and no stream stores the subject: MEMSHARE_ + the subject with '.', '*', '>' as '_'.</summary>
    internal static string DefaultName(string subject) =>
        "MEMSHARE_" + subject.Replace('.', '_').Replace('*', '_').Replace('>', '_');

    internal static async Task<string> EnsureAsync(INatsJSContext js, string? stream, string subject, bool create, CancellationToken cancellationToken)
    {
        if (stream is null)
        {
            await foreach (string name in js.ListStreamNamesAsync(subject, cancellationToken).ConfigureAwait(false))
            {
                return name;
            }

            stream = DefaultName(subject);
        }

        try
        {
            _ = await js.GetStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404 && create)
        {
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            throw new InvalidOperationException($"JetStream has no stream '{stream}' for subject '{subject}'; create it, or let the bridge create it.", e);
        }

        var config = new StreamConfig(stream, [subject])
        {
            Storage = StreamConfigStorage.File,
            Retention = StreamConfigRetention.Limits,
            DuplicateWindow = TimeSpan.FromMinutes(2),
            AllowDirect = true,
        };
        try
        {
            _ = await js.CreateStreamAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == StreamNameInUse)
        {
            // Another bridge created it meanwhile.
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == SubjectsOverlap)
        {
            // A stream for the subject appeared meanwhile: a publisher and a subscriber creating the same stream at
            // once can get this instead of "name in use" (nats-server 2.9). Use the stream that stores the subject.
            await foreach (string name in js.ListStreamNamesAsync(subject, cancellationToken).ConfigureAwait(false))
            {
                return name;
            }

            throw;
        }

        return stream;
    }
}
