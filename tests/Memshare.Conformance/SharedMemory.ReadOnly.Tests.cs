using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>A read-only view reads but cannot write: not through the API, and not through the pages.</summary>
public sealed class SharedMemoryReadOnlyTests : IDisposable
{
    private readonly RegionScope _scope = new();

    [Fact]
    public void ReadOnlyView_WritableAccessors_ThrowInvalidOperationAndReadsWork()
    {
        string name = _scope.Name();
        using SharedMemory writer = SharedMemory.CreateNew(name, 256);
        Patterns.Fill(writer.Span, 6);
        using SharedMemory ro = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);

        Assert.True(ro.IsReadOnly);
        var e = Assert.Throws<InvalidOperationException>(() => ro.Span.Length);
        Assert.Contains($"'{name}' is open read-only", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => ro.GetSpan(0, 1).Length);
        Assert.Throws<InvalidOperationException>(() => ro.AsRef<int>(0));

        Assert.Equal(256, ro.Size);
        Assert.Equal(-1, Patterns.FindMismatch(ro.ReadOnlySpan[..256], 6));
        Assert.Equal(writer.ReadOnlySpan[10..20].ToArray(), ro.GetReadOnlySpan(10, 10).ToArray());
    }

    [Fact]
    public void ReadOnlyView_SeesLaterWritesFromOtherProcess()
    {
        string name = _scope.Name();
        Peer p = Peer.Start(_scope);
        p.Expect($"create-new {name} 4096", "created");
        using SharedMemory ro = SharedMemory.OpenExisting(name, new SharedMemoryOptions { Access = SharedMemoryAccess.Read });

        p.Expect("fill 8", "ok");

        Assert.Equal(-1, Patterns.FindMismatch(ro.ReadOnlySpan, 8));
        p.Exit();
    }

    [Fact]
    public void ReadOnlyView_WriteThroughRawPointer_FaultsAndLeavesBytesUnchanged()
    {
        // The pages themselves are mapped without write permission: a write through the raw pointer faults.
        // The peer crashes, not the test host.
        string name = _scope.Name();
        using SharedMemory region = SharedMemory.CreateNew(name, 4096);
        Patterns.Fill(region.Span, 2);
        Peer p = Peer.Start(_scope);
        p.Expect($"open {name} ro", "opened");

        p.Child.WriteLine("poke 100");
        int code = p.Child.WaitForExit();

        Assert.NotEqual(0, code);
        Assert.Contains(nameof(AccessViolationException), p.Child.Stderr, StringComparison.Ordinal);
        Assert.Equal(-1, Patterns.FindMismatch(region.ReadOnlySpan, 2));
    }

    [Fact]
    public void ReadOnlySharedString_Set_ThrowsAndGetWorks()
    {
        string name = _scope.Name();
        using SharedString writer = SharedString.CreateNew(name, 32);
        writer.Set("hello");
        using SharedString ro = SharedString.OpenExisting(name, SharedMemoryOptions.ReadOnly);

        Assert.True(ro.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => ro.Set("nope"));
        Assert.Throws<InvalidOperationException>(() => ro.Set("nope"u8));
        Assert.Equal("hello", ro.Get());
        Assert.Equal("hello", writer.Get());

        writer.Set("world");
        Assert.Equal("world", ro.Get());
        Assert.Equal(2, ro.Version);
    }

    [Fact]
    public void ReadOnlySharedString_InOtherProcess_SetFailsGetWorks()
    {
        string name = _scope.Name();
        using SharedString writer = SharedString.CreateNew(name, 32);
        writer.Set("from parent");
        Peer p = Peer.Start(_scope);
        p.Expect($"string-open {name} ro", "opened capacity 32");

        p.Expect("string-get", "value from parent");
        (string type, string message) = p.ExpectError("string-set nope");

        Assert.Equal(nameof(InvalidOperationException), type);
        Assert.Contains("read-only", message, StringComparison.Ordinal);
        Assert.Equal("from parent", writer.Get());
        p.Exit();
    }

    [Fact]
    public void ReadOnlySharedValue_ValueAndWrite_ThrowAndReadWorks()
    {
        string name = _scope.Name();
        using SharedValue<Octet> writer = SharedValue<Octet>.CreateNew(name, Octet.Of(3));
        using SharedValue<Octet> ro = SharedValue<Octet>.OpenExisting(name, SharedMemoryOptions.ReadOnly);

        Assert.True(ro.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => ro.Value.A);
        Assert.Throws<InvalidOperationException>(() => ro.Write(Octet.Of(4)));
        Assert.Equal(Octet.Of(3), ro.Read());
        Assert.Equal(Octet.Of(3), ro.ReadOnlyValue);

        writer.Write(Octet.Of(5));
        Assert.Equal(Octet.Of(5), ro.Read());
    }

    public void Dispose() => _scope.Dispose();
}
