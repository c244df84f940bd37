using System.Runtime.CompilerServices;

namespace Memshare;

/// <summary>The async loops of the channel's writer and reader, kept out of their synchronous fast paths.</summary>
internal static class ChannelAsync
{
    /// <summary>Writes <paramref name="message"/> (with <paramref name="checkpoint"/> if given), waiting for room without a thread.</summary>
    internal static async ValueTask WriteAsync(SharedChannelWriter writer, ReadOnlyMemory<byte> message, long? checkpoint, CancellationToken cancellationToken)
    {
        while (!(checkpoint is long value ? writer.TryWrite(message.Span, value) : writer.TryWrite(message.Span)))
        {
            _ = await writer.WaitForSpaceAsync(message.Length, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static async IAsyncEnumerable<byte[]> ReadAllAsync(SharedChannelReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[reader.Channel.MaxMessageLength];
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(buffer, out int length))
            {
                yield return buffer.AsSpan(0, length).ToArray();
            }
        }
    }
}
