using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance.Channel;

/// <summary>Helpers shared by the channel tests: shared positions, child output parsing, and the child scenarios' arguments.</summary>
internal static class ChannelKit
{
    /// <summary>Far longer than any step needs on an idle box; bounds a hang, never asserted as a timing.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(Stress.Reduced ? 180 : 60); // Wine starts processes slowly

    // Offsets from docs/format.md ("Channel"): the tests read the documented format through a raw read-only view,
    // the way a peer in another language would, so they check the same bytes on every OS.
    private const int WriterLine = 256;      // Position u64, Messages u64
    private const int WriterLockLine = 384;  // owner token u64, Recoveries u64
    private const int ReadersOffset = 768;   // reader i at 768 + 128 i: Position u64
    private const int ReaderStride = 128;
    private const int SaltOffset = 24;       // RegionHeader.Fingerprint holds a channel's Salt
    private const int PaddingLength = -1;

    /// <summary>The writer position that the channel publishes (the end of the last committed record).</summary>
    public static long WriterPosition(SharedChannel channel) => ReadLong(channel, WriterLine);

    /// <summary>Reader <paramref name="index"/>'s durable position (the next record it will read).</summary>
    public static long ReaderPosition(SharedChannel channel, int index) => ReadLong(channel, ReadersOffset + (ReaderStride * index));

    /// <summary>The writer lock word (0: free; otherwise the holder's owner token) and the times it was taken from a dead owner.</summary>
    public static (ulong Word, long Recoveries) WriterLock(SharedChannel channel) =>
        ((ulong)ReadLong(channel, WriterLockLine), ReadLong(channel, WriterLockLine + 8));

    /// <summary>
    /// The sequence number of the first message reader <paramref name="index"/> has not consumed, read from its
    /// durable position in the ring without attaching (skipping a padding record), or the channel's message count if
    /// that record is not committed yet.
    /// </summary>
    public static long FirstUnconsumedSequence(SharedChannel channel, int index)
    {
        using SharedMemory raw = RawView(channel);
        long position = Read<long>(raw, ReadersOffset + (ReaderStride * index));
        ulong salt = Read<ulong>(raw, SaltOffset);
        int dataOffset = DataOffset(channel);
        long mask = channel.Capacity - 1;
        for (int hop = 0; hop < 2; hop++)
        {
            int record = dataOffset + (int)(position & mask); // Length i32, Sequence u32, Tag u64
            if (Read<ulong>(raw, record + 8) != ((ulong)position ^ salt))
            {
                break;
            }

            if (Read<int>(raw, record) != PaddingLength)
            {
                return Read<uint>(raw, record + 4);
            }

            position += channel.Capacity - (position & mask);
        }

        return channel.MessagesWritten;
    }

    /// <summary>Whether the record at ring <paramref name="position"/> is committed (its tag matches), and the sequence number its header holds.</summary>
    public static (bool Committed, uint Sequence) RecordAt(SharedChannel channel, long position)
    {
        using SharedMemory raw = RawView(channel);
        int record = DataOffset(channel) + (int)(position & (channel.Capacity - 1));
        return (Read<ulong>(raw, record + 8) == ((ulong)position ^ Read<ulong>(raw, SaltOffset)), Read<uint>(raw, record + 4));
    }

    /// <summary>Where the ring starts: the reader lines rounded up to a page.</summary>
    private static int DataOffset(SharedChannel channel) => (ReadersOffset + (ReaderStride * channel.MaxReaders) + 4095) & ~4095;

    private static long ReadLong(SharedChannel channel, int offset)
    {
        using SharedMemory raw = RawView(channel);
        return Read<long>(raw, offset);
    }

    private static SharedMemory RawView(SharedChannel channel) =>
        SharedMemory.OpenExisting(channel.Name, new SharedMemoryOptions { Access = SharedMemoryAccess.Read });

    private static T Read<T>(SharedMemory raw, int offset)
        where T : unmanaged =>
        MemoryMarshal.Read<T>(raw.GetReadOnlySpan(offset, Unsafe.SizeOf<T>()));

    /// <summary>Arguments of the child's "chan-write" scenario.</summary>
    public static string[] WriteArgs(string name, object first, long count, int min, int large, string flags = "") =>
        ["chan-write", name, Convert.ToString(first, CultureInfo.InvariantCulture)!, Str(count), Str(min), Str(large), "60", flags];

    /// <summary>Arguments of the child's "chan-read" scenario.</summary>
    public static string[] ReadArgs(string name, int index, long last, int min, int large, string flags = "") =>
        ["chan-read", name, Str(index), Str(last), Str(min), Str(large), "60", flags];

    /// <summary>Parses "word k1=v1 k2=v2 ..." into the values; fails the test unless the line starts with <paramref name="word"/>.</summary>
    public static Dictionary<string, long> Summary(string line, string word = "done")
    {
        Assert.True(line.StartsWith(word + " ", StringComparison.Ordinal), $"expected '{word} ...', got '{line}'");
        var values = new Dictionary<string, long>();
        foreach (string part in line[(word.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = part.Split('=');
            values[kv[0]] = long.Parse(kv[1], CultureInfo.InvariantCulture);
        }

        return values;
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; fails on a line starting with "error".</summary>
    public static string ExpectLine(Child child, string prefix, TimeSpan? timeout = null)
    {
        string line = child.ReadLine(timeout ?? Deadline);
        Assert.True(line.StartsWith(prefix, StringComparison.Ordinal), $"child {child.Pid} said '{line}', expected '{prefix}...'; stderr: {child.Stderr}");
        return line;
    }

    /// <summary>Waits for a child's exit and fails the test unless its exit code is 0.</summary>
    public static void ExpectExit0(Child child)
    {
        int code = child.WaitForExit(Deadline);
        Assert.True(code == 0, $"child {child.Pid} exited with {code}; stderr: {child.Stderr}");
    }

    /// <summary>Spins until <paramref name="condition"/> holds; fails the test after <see cref="Deadline"/>.</summary>
    public static void SpinUntil(Func<bool> condition, string what)
    {
        long start = Stopwatch.GetTimestamp();
        var spin = default(SpinWait);
        while (!condition())
        {
            spin.SpinOnce(); // sleeps a millisecond at a time once it has spun a while
            if (Stopwatch.GetElapsedTime(start) > Deadline)
            {
                Assert.Fail("timed out waiting until " + what);
            }
        }
    }

    /// <summary>Busy-waits for <paramref name="time"/> (a random kill point needs finer steps than Thread.Sleep gives).</summary>
    public static void SpinFor(TimeSpan time)
    {
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < time)
        {
            Thread.SpinWait(20);
        }
    }

    /// <summary>A message of <paramref name="length"/> bytes made from <paramref name="key"/>.</summary>
    public static byte[] MessageOf(long key, int length)
    {
        byte[] bytes = new byte[length];
        ChannelMessage.Fill(bytes, key);
        return bytes;
    }

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A child running the "chan-repl" scenario (tests/Memshare.Tests.Child/ChannelRepl.cs): one command per line, one
/// reply per line. Tracked by the scope, so it is killed even if the test fails.
/// </summary>
internal sealed class ChannelPeer
{
    private ChannelPeer(Child child) => Child = child;

    public Child Child { get; }

    /// <summary>Starts a peer, waits until it is ready, and opens <paramref name="name"/> in it (if given).</summary>
    public static ChannelPeer Start(RegionScope scope, string? name = null)
    {
        var peer = new ChannelPeer(scope.Track(Child.Helper("chan-repl")));
        Assert.Equal("ready", peer.Child.ReadLine(ChannelKit.Deadline));
        if (name is not null)
        {
            peer.Expect("open " + name, "opened");
        }

        return peer;
    }

    /// <summary>Sends a command and returns the reply.</summary>
    public string Do(string command, TimeSpan? timeout = null)
    {
        Child.WriteLine(command);
        return Child.ReadLine(timeout ?? ChannelKit.Deadline);
    }

    /// <summary>Sends a command and fails the test unless the reply is <paramref name="expected"/>.</summary>
    public void Expect(string command, string expected)
    {
        string reply = Do(command);
        Assert.True(reply == expected, $"'{command}' replied '{reply}', expected '{expected}'. Stderr: {Child.Stderr}");
    }

    /// <summary>Asks the peer to close everything and exit, and checks it exited with 0.</summary>
    public void Exit()
    {
        Child.WriteLine("exit");
        ChannelKit.ExpectExit0(Child);
    }
}
