using System.Runtime.CompilerServices;

namespace Memshare;

/// <summary>The async loops of the channel, kept out of the unsafe writer and reader classes (C# cannot await there).</summary>
internal static class ChannelAsync
{
    internal static async ValueTask WriteAsync(SharedChannelWriter writer, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        while (!writer.TryWrite(message.Span))
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
