using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if PUBLIC_API_ONLY
using Memshare.Conformance.Infrastructure;
#else
// Memshare.Tests compiles this file too (see its csproj), with its own child runner and scope.
using Memshare.Tests.Infrastructure;
using RegionScope = Memshare.Tests.Infrastructure.ShmScope;
#endif

namespace Memshare.Conformance.Sync;

/// <summary>
/// A child process running the "sync-repl" scenario (tests/Memshare.Tests.Child/SyncRepl.cs): one reply line
/// per command, plus "bg ..." lines when a background wait or acquire ends. Those may arrive before the reply
/// to a later command, so they are set aside until <see cref="Background"/> asks for them.
/// </summary>
internal sealed class SyncPeer
{
    private readonly Queue<string> _background = new();

    private SyncPeer(Child child) => Child = child;

    public Child Child { get; }

    public int Pid => Child.Pid;

    /// <summary>Starts a peer (tracked by the scope, so it is killed even if the test fails) and waits until it is ready.</summary>
    public static SyncPeer Start(RegionScope scope)
    {
        Child child = scope.Track(Child.Helper("sync-repl"));
        string line = child.ReadLine();
        Assert.True(line == "ready", $"peer said '{line}' instead of 'ready'; stderr: {child.Stderr}");
        return new SyncPeer(child);
    }

    /// <summary>Sends a command and returns its reply.</summary>
    public string Do(string command)
    {
        Child.WriteLine(command);
        while (true)
        {
            string line = Child.ReadLine();
            if (!line.StartsWith("bg ", StringComparison.Ordinal))
            {
                return line;
            }

            _background.Enqueue(line);
        }
    }

    /// <summary>Sends a command and fails the test unless the reply is <paramref name="expected"/>.</summary>
    public void Expect(string command, string expected)
    {
        string reply = Do(command);
        Assert.True(reply == expected, $"'{command}' replied '{reply}', expected '{expected}'. Stderr: {Child.Stderr}");
    }

    /// <summary>The next "bg ..." line; fails the test if none comes within <paramref name="timeout"/> (default 20 s).</summary>
    public string Background(TimeSpan? timeout = null) =>
        TryBackground(timeout ?? TimeSpan.FromSeconds(20))
        ?? throw new TimeoutException($"peer {Pid} reported no background result; stderr: {Child.Stderr}");

    /// <summary>The next "bg ..." line, or null if none comes within <paramref name="timeout"/>.</summary>
    public string? TryBackground(TimeSpan timeout)
    {
        if (_background.Count > 0)
        {
            return _background.Dequeue();
        }

        try
        {
            string line = Child.ReadLine(timeout);
            Assert.True(line.StartsWith("bg ", StringComparison.Ordinal), $"peer {Pid} said '{line}' unprompted");
            return line;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Asks the peer to dispose everything and exit, and checks it exited with 0.</summary>
    public void Exit()
    {
        Child.WriteLine("exit");
        int code = Child.WaitForExit();
        Assert.True(code == 0, $"peer exited with {code}; stderr: {Child.Stderr}");
    }
}

/// <summary>Helpers shared by the Sync tests.</summary>
internal static class SyncTest
{
    /// <summary>Offsets in an event region (see src/Memshare/Layout/EventLayout.cs; pinned by SyncLayoutTests).</summary>
    public const int EventSignaled = 64;
    public const int EventGeneration = 68;
    public const int EventWaiters = 72;

    /// <summary>Offsets in a lock region (see src/Memshare/Layout/LockLayout.cs).</summary>
    public const int LockOwner = 64;
    public const int LockWaiters = 76;

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; fails the test with <paramref name="what"/> after
    /// <paramref name="timeout"/> (default 20 s). For states another process reaches, e.g. "asleep in Wait".
    /// </summary>
    public static void WaitUntil(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(20);
        long start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(start) > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds} s waiting until {what}.");
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>An int field of a region as another process sees it.</summary>
    public static int ReadInt(SharedMemory raw, int offset) =>
        Volatile.Read(ref Unsafe.AsRef(in MemoryMarshal.AsRef<int>(raw.GetReadOnlySpan(offset, sizeof(int)))));

    /// <summary>The KEY=VALUE pairs of a result line, e.g. "done reads=5 torn=0".</summary>
    public static Dictionary<string, string> Fields(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[part[..eq]] = part[(eq + 1)..];
            }
        }

        return fields;
    }

    public static long Long(this Dictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out string? v) ? long.Parse(v, CultureInfo.InvariantCulture) : throw new KeyNotFoundException($"no '{key}=' in the line");

    /// <summary>Reads lines from <paramref name="child"/> until one starts with <paramref name="prefix"/>; returns that line and the ones before it.</summary>
    public static (string Line, List<string> Before) ReadUntil(Child child, string prefix, TimeSpan? timeout = null)
    {
        var before = new List<string>();
        while (true)
        {
            string line = child.ReadLine(timeout);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return (line, before);
            }

            before.Add(line);
        }
    }
}
