using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Misuse;

/// <summary>
/// Locks, events and channels write to their region on every use, so they refuse a read-only open with a message
/// that says why and what to do, instead of mapping it PROT_READ and faulting on the first write. The opens run in a
/// child process, where a fault shows as the exit code.
/// </summary>
public sealed class MisuseReadOnlyTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Theory]
    [InlineData("event", "SharedEvent", "Wait consumes")]
    [InlineData("lock", "SharedLock", "store its owner")]
    [InlineData("channel", "SharedChannel", "claim their role")]
    public void OpenExisting_ReadOnly_RefusedWithReason(string type, string kind, string reason)
    {
        string name = _scope.Name(type);
        using IDisposable created = type switch
        {
            "event" => SharedEvent.CreateOrOpen(name),
            "lock" => SharedLock.CreateOrOpen(name),
            _ => SharedChannel.CreateOrOpen(name),
        };
        using Child child = _scope.Track(Child.Helper("misuse-readonly", type, name));

        int exit = child.WaitForExit();
        List<string> lines = child.RemainingLines();

        Assert.True(exit == 0, $"exit {exit}: {string.Join(" | ", lines)} {child.Stderr}");
        Assert.Equal(2, lines.Count);
        Assert.StartsWith($"refused {kind} '{name}' cannot be opened read-only", lines[0], StringComparison.Ordinal);
        Assert.Contains(reason, lines[0], StringComparison.Ordinal);
        Assert.Contains("SharedMemoryAccess.ReadWrite", lines[0], StringComparison.Ordinal);
        Assert.Equal("try-refused", lines[1]);
    }

    [Fact]
    public void CreateOrOpen_ReadOnly_RefusedWithReasonBeforeCreating()
    {
        string name = _scope.Name();
        var ro = new SharedMemoryOptions { Access = SharedMemoryAccess.Read };

        var e = Assert.Throws<ArgumentException>(() => SharedEvent.CreateOrOpen(name, out _, EventResetMode.ManualReset, options: ro));
        var l = Assert.Throws<ArgumentException>(() => SharedLock.CreateOrOpen(name, ro));
        var c = Assert.Throws<ArgumentException>(() => SharedChannel.CreateOrOpen(name, options: ro));

        Assert.Contains($"SharedEvent '{name}' cannot be opened read-only", e.Message, StringComparison.Ordinal);
        Assert.Contains($"SharedLock '{name}' cannot be opened read-only", l.Message, StringComparison.Ordinal);
        Assert.Contains($"SharedChannel '{name}' cannot be opened read-only", c.Message, StringComparison.Ordinal);
        Assert.Empty(_scope.Leftovers());
    }

    public void Dispose() => _scope.Dispose();
}
