using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

public sealed class SmokeTests : IDisposable
{
    private readonly RegionScope _scope = new();

    [Fact]
    public void CreateNew_PeerOpensAndSeesZeros()
    {
        string name = _scope.Name();
        using SharedMemory region = SharedMemory.CreateNew(name, 4096);
        Peer p = Peer.Start(_scope);
        p.Expect($"open {name}", "opened");
        p.Expect("zero", "ok");
        p.Exit();
    }

    public void Dispose() => _scope.Dispose();
}
