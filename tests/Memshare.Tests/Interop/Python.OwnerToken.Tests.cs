using System.Diagnostics;
using Memshare.Sync;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>
/// The robust writer lock across languages: memshare.py stamps the lock word with the same owner token as .NET
/// (pid | start-time stamp &lt;&lt; 32), waits for a live owner, and takes the lock from a dead one, counting it.
/// </summary>
public sealed class PythonOwnerTokenTests : IDisposable
{
    private const int WriterLock = 72;
    private const int Recoveries = 80;

    private readonly ShmScope _scope = new();

    [Fact]
    public void Set_LockHeldByLiveDotNetProcess_PythonWaitsThenTimesOutAndChangesNothing()
    {
        string name = _scope.Name("s");
        using var slot = SharedString.CreateNew(name, 32);
        slot.Set("kept");
        using var raw = SharedMemory.OpenExisting(name);
        ref ulong word = ref raw.AsRef<ulong>(WriterLock);
        Volatile.Write(ref word, OwnerToken.Current); // this live process "holds" the lock

        PythonProcess.RunCli(null, "set", name, "stolen", "--timeout", "0.5")
            .AssertError(6, $"held by process {Environment.ProcessId}");

        Assert.Equal(OwnerToken.Current, Volatile.Read(ref word));
        Volatile.Write(ref word, 0);
        Assert.Equal("kept", slot.Get());
        Assert.Equal(0UL, raw.AsRef<ulong>(Recoveries));
    }

    [Fact]
    public void Set_LockHeldByDeadProcess_PythonTakesItOverAndCountsARecovery()
    {
        string name = _scope.Name("s");
        using var slot = SharedString.CreateNew(name, 32);
        using var raw = SharedMemory.OpenExisting(name);
        Volatile.Write(ref raw.AsRef<ulong>(WriterLock), OwnerToken.Make(DeadPid(), 0x1235));

        PythonProcess.RunCli(null, "set", name, "recovered", "--timeout", "30").AssertExit(0);

        Assert.Equal("recovered", slot.Get());
        Assert.Equal(1UL, raw.AsRef<ulong>(Recoveries));
        Assert.Equal(0UL, Volatile.Read(ref raw.AsRef<ulong>(WriterLock)));
    }

    [Fact]
    public async Task PythonHolderKilled_DotNetSeesItsTokenAliveThenDeadAndRecovers()
    {
        string name = _scope.Name("s");
        using var slot = SharedString.CreateNew(name, 32);
        using var raw = SharedMemory.OpenExisting(name);
        using PythonProcess holder = PythonProcess.Peer("hold-lock", name);
        ulong token = ulong.Parse(holder.Expect("holding")[1], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(token, Volatile.Read(ref raw.AsRef<ulong>(WriterLock)));
        Assert.Equal(holder.Pid, OwnerToken.Pid(token));
        Assert.True(OwnerToken.IsAlive(token), "a live Python owner's token reads as dead: its start-time stamp differs from .NET's");

        holder.Kill();
        Assert.False(OwnerToken.IsAlive(token));
        Task set = Task.Run(() => slot.Set("after")); // waits for the lock, finds its owner dead, takes it
        await set.WaitAsync(TimeSpan.FromSeconds(30)); // TimeoutException: Set did not recover the lock
        Assert.Equal("after", slot.Get());
        Assert.Equal(1UL, raw.AsRef<ulong>(Recoveries));
    }

    /// <summary>The pid of a process that has exited (and been reaped).</summary>
    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        Assert.True(p.WaitForExit(10_000));
        return p.Id;
    }

    public void Dispose() => _scope.Dispose();
}
