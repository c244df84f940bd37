using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Memshare.Tests.Peers;

/// <summary>
/// Data both sides can regenerate, defined exactly as in interop/python/tests/peer.py (change both together):
/// message <c>i</c> of stream <c>seed</c> is SHA-256("seed:i") repeated, cut to a length (0..max) taken from that hash.
/// A receiver compares every byte, so order, count, length and contents are all checked.
/// </summary>
internal static class PythonPeerData
{
    public static byte[] Message(int seed, int index, int maxMessage)
    {
        byte[] digest = SHA256.HashData(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{seed}:{index}")));
        int length = (int)(BinaryPrimitives.ReadUInt32LittleEndian(digest) % (uint)(maxMessage + 1));
        byte[] message = new byte[length];
        for (int i = 0; i < length; i += digest.Length)
        {
            digest.AsSpan(0, Math.Min(digest.Length, length - i)).CopyTo(message.AsSpan(i));
        }

        return message;
    }

    /// <summary>A line for the CLI tests: the message as hex (so no '\n'), cut to at most <paramref name="maxMessage"/> bytes.</summary>
    public static byte[] Line(int seed, int index, int maxMessage)
    {
        byte[] hex = Encoding.ASCII.GetBytes(Convert.ToHexString(Message(seed, index, maxMessage)));
        return hex.Length <= maxMessage ? hex : hex[..maxMessage];
    }

    /// <summary>Parses "k1 v1 k2 v2 ..." (a peer's report line) into a lookup of the number after each key.</summary>
    public static Dictionary<string, long> Fields(string[] parts)
    {
        var fields = new Dictionary<string, long>();
        for (int i = 0; i + 1 < parts.Length; i += 2)
        {
            fields[parts[i]] = long.Parse(parts[i + 1], CultureInfo.InvariantCulture);
        }

        return fields;
    }
}
