using Memshare.Tests.Infrastructure;

namespace Memshare.Tests;

public sealed class SmokeTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void Child_Ping_Answers()
    {
        using Child child = _scope.Track(Child.Helper("ping"));
        Assert.Equal("pong", child.ReadLine());
        Assert.Equal(0, child.WaitForExit());
    }

    public void Dispose() => _scope.Dispose();
}
