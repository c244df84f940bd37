using System.Globalization;
using System.Text;

namespace Memshare.Nats;

/// <summary>
/// How bridged messages are named on the broker. A message's JetStream id is <c>ms-SALT-SEQ</c>: the channel's salt
/// (a random 64-bit number chosen when the channel was created, so a channel removed and created again under the
/// same name is a different source) and the message's sequence number on the channel. A publisher that crashes
/// after publishing but before advancing sends the same ids again, and the stream drops them as duplicates.
/// </summary>
internal static class BridgeIds
{
    /// <summary>Header on the message that carries a channel's completion; its payload is empty.</summary>
    internal const string CompleteHeader = "Memshare-Complete";

    internal static string Prefix(ulong salt) => string.Create(CultureInfo.InvariantCulture, $"ms-{salt:x16}-");

    /// <summary>The id of message <paramref name="sequence"/>; one string, the only thing the bridge allocates per message.</summary>
    internal static string MessageId(string prefix, long sequence) =>
        string.Create(prefix.Length + Digits(sequence), (prefix, sequence), static (span, state) =>
        {
            state.prefix.AsSpan().CopyTo(span);
            _ = state.sequence.TryFormat(span[state.prefix.Length..], out _, default, CultureInfo.InvariantCulture);
        });

    /// <summary>The id of the completion marker published once messages up to <paramref name="count"/> were forwarded.</summary>
    internal static string CompletionId(string prefix, long count) => string.Create(CultureInfo.InvariantCulture, $"{prefix}end-{count}");

    /// <summary>
    /// The sequence number in a message id from this channel (<paramref name="prefix"/>), read from a stored
    /// message's raw NATS headers; -1 if the message came from elsewhere. A completion marker for count c counts as c − 1.
    /// </summary>
    internal static long SequenceFromHeaders(string? base64Headers, string prefix)
    {
        if (string.IsNullOrEmpty(base64Headers))
        {
            return -1;
        }

        string headers = Encoding.ASCII.GetString(Convert.FromBase64String(base64Headers));
        foreach (string line in headers.Split("\r\n"))
        {
            const string Name = "Nats-Msg-Id:";
            if (!line.StartsWith(Name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string id = line[Name.Length..].Trim();
            if (!id.StartsWith(prefix, StringComparison.Ordinal))
            {
                return -1;
            }

            string rest = id[prefix.Length..];
            bool end = rest.StartsWith("end-", StringComparison.Ordinal);
            return long.TryParse(end ? rest[4..] : rest, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? (end ? n - 1 : n) : -1;
        }

        return -1;
    }

    private static int Digits(long value)
    {
        int digits = 1;
        for (; value >= 10; value /= 10)
        {
            digits++;
        }

        return digits;
    }
}
