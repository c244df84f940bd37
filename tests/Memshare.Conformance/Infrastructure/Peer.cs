using Memshare.TestChild;
#if !PUBLIC_API_ONLY
// Memshare.Tests compiles this file too (see its csproj), with its own child runner and scope.
using Memshare.Tests.Infrastructure;
using RegionScope = Memshare.Tests.Infrastructure.ShmScope;
#endif

namespace Memshare.Conformance.Infrastructure;

/// <summary>
/// A child process running the "repl" scenario (see tests/Memshare.Tests.Child/Repl.cs): the test sends one
/// command per line and gets one reply per line. Tracked by the scope, so it is killed even if the test fails.
/// </summary>
public sealed class Peer
{
    private Peer(Child child) => Child = child;

    public Child Child { get; }

    public int Pid => Child.Pid;

    /// <summary>Starts a peer and waits until it is ready for commands.</summary>
    public static Peer Start(RegionScope scope) => Ready(scope.Track(Child.Helper("repl")));
#if !PUBLIC_API_ONLY

    /// <summary>Starts a peer as another user through <paramref name="prefix"/> (a setpriv command line).</summary>
    public static Peer StartAs(RegionScope scope, string prefix) => Ready(scope.Track(Child.HelperAs(prefix, "repl")));
#endif

    /// <summary>Sends a command and returns the reply.</summary>
    public string Do(string command)
    {
        Child.WriteLine(command);
        return Child.ReadLine();
    }

    /// <summary>Sends a command and fails the test unless the reply is <paramref name="expected"/>.</summary>
    public void Expect(string command, string expected)
    {
        string reply = Do(command);
        Assert.True(reply == expected, $"'{command}' replied '{reply}', expected '{expected}'. Stderr: {Child.Stderr}");
    }

    /// <summary>Sends a command that must fail; returns the exception's type name and message.</summary>
    public (string Type, string Message) ExpectError(string command)
    {
        string reply = Do(command);
        Assert.True(reply.StartsWith("error ", StringComparison.Ordinal), $"'{command}' replied '{reply}', expected an error");
        string[] parts = reply.Split(' ', 3);
        return (parts[1], Patterns.FromOneLine(parts[2]));
    }

    /// <summary>Asks the peer to dispose everything and exit, and checks it exited with 0.</summary>
    public void Exit()
    {
        Child.WriteLine("exit");
        int code = Child.WaitForExit();
        Assert.True(code == 0, $"peer exited with {code}; stderr: {Child.Stderr}");
    }

    /// <summary>SIGKILL: the peer gets no chance to release anything.</summary>
    public void Kill() => Child.Kill();

    private static Peer Ready(Child child)
    {
        string line = child.ReadLine();
        Assert.True(line == "ready", $"peer said '{line}' instead of 'ready'; stderr: {child.Stderr}");
        return new Peer(child);
    }
}
