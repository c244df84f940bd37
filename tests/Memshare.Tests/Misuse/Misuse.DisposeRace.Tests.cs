using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Misuse;

/// <summary>
/// A thread using an object while another disposes it gets <see cref="ObjectDisposedException"/>, never an access
/// violation or an unrelated exception. Each test runs many rounds of that race in a child process (a crash there is a
/// signal, which would kill a test host) and asserts its exit code: 0, and every round ended in ObjectDisposedException.
/// </summary>
[Collection("Spinning")]
public sealed class MisuseDisposeRaceTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Theory]
    [InlineData("memory", 2000)]
    [InlineData("value", 2000)]
    [InlineData("string", 2000)]
    [InlineData("event", 1000)]
    [InlineData("lock", 1000)]
    [InlineData("channel", 1000)]
    [InlineData("writer", 1000)]
    [InlineData("reader", 1000)]
    public void UseRacingDispose_EveryMember_ThrowsObjectDisposedOnly(string type, int rounds)
    {
        using Child child = _scope.Track(Child.Helper("misuse-race", type, _scope.Name(type), $"{rounds}"));

        int exit = child.WaitForExit(TimeSpan.FromSeconds(240));
        List<string> lines = child.RemainingLines();

        Assert.True(exit == 0, $"exit {exit}: {string.Join(" | ", lines)} {child.Stderr}");
        Assert.Equal($"ok rounds={rounds} disposed={rounds}", Assert.Single(lines));
    }

    public void Dispose() => _scope.Dispose();
}
