using System.Diagnostics;
using System.Globalization;
using Memshare.TestChild;
#if PUBLIC_API_ONLY
using Memshare.Conformance.Infrastructure;
#else
// Memshare.Tests compiles this file too (see its csproj), with its own child runner and scope.
using Memshare.Tests.Infrastructure;
using RegionScope = Memshare.Tests.Infrastructure.ShmScope;
#endif

namespace Memshare.Conformance.Channel;

/// <summary>
/// How the channel tests drive child processes: the child scenarios' arguments, parsing their output, bounded waits
/// and the messages they send. Written once for both suites; reading a channel's state is <c>ChannelKit</c>'s job.
/// </summary>
internal static class ChannelScript
{
    /// <summary>Far longer than any step needs on an idle box; bounds a hang, never asserted as a timing.</summary>
#if PUBLIC_API_ONLY
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(Stress.Reduced ? 180 : 60); // Wine starts processes slowly
#else
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
#endif

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
        Assert.Equal("ready", peer.Child.ReadLine(ChannelScript.Deadline));
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
        return Child.ReadLine(timeout ?? ChannelScript.Deadline);
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
        ChannelScript.ExpectExit0(Child);
    }
}
