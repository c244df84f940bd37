using System.Runtime.Versioning;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>
/// memshare.h (ms_lock_open, ms_lock_owner) and memshare.py (SharedLock) look at a lock a live .NET process holds;
/// the dead-owner case is the golden image lock-dead-owner (Golden/GoldenImage.Tests.cs).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class LockInspectionTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void Peers_LockHeldByThisProcess_ReportOwnerAlive()
    {
        string name = _scope.Name("lock");
        using var shared = SharedLock.CreateOrOpen(name);
        string[] free = ["kind lock", "owner free", "recoveries 0"];
        Assert.Equal(free, Decode(name));

        using (shared.Acquire())
        {
            Assert.Equal(["kind lock", $"owner pid {Environment.ProcessId} alive", "recoveries 0"], Decode(name));
        }
    }

    [Fact]
    public void Peers_OpenValueAsLock_RefuseWithWrongKind()
    {
        string name = _scope.Name("val");
        using var value = SharedValue<long>.CreateNew(name, 5);

        (int exit, _, string stderr) = Child.Run(NativeBuild.CPeer, "golden", name, "lock");
        Assert.Equal(1, exit);
        Assert.Contains("holds a Memshare SharedValue, not the lock", stderr, StringComparison.Ordinal);

        using PythonProcess p = PythonProcess.Peer("golden", name, "lock");
        PythonResult result = p.Finish();
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("holds a Memshare SharedValue, not the lock", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>What each peer prints for the lock; both must agree.</summary>
    private static string[] Decode(string name)
    {
        (int exit, List<string> c, string stderr) = Child.Run(NativeBuild.CPeer, "golden", name, "lock");
        Assert.True(exit == 0, stderr);
        using PythonProcess p = PythonProcess.Peer("golden", name, "lock");
        string[] python = p.Finish().AssertExit(0).Lines;
        Assert.Equal(c, python);
        return python;
    }

    public void Dispose() => _scope.Dispose();
}
