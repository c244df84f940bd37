using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>What every region does: zeros when new, exceptions for missing and existing names, Dispose.</summary>
public sealed class SharedMemoryBasicsTests : IDisposable
{
    private readonly RegionScope _scope = new();

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(10_000)]
    [InlineData(1 << 20)]
    public void CreateNew_AnySize_ReadsAsZerosHereAndInOtherProcess(int size)
    {
        string name = _scope.Name();
        using SharedMemory region = SharedMemory.CreateNew(name, size);

        Assert.Equal(size, region.Size);
        Assert.Equal(size, region.RegionSize);
        Assert.Equal(0, region.Offset);
        Assert.Equal(-1, region.ReadOnlySpan.IndexOfAnyExcept((byte)0));

        Peer p = Peer.Start(_scope);
        p.Expect($"open {name}", "opened");
        p.Expect("zero", "ok");
        p.Exit();
    }

    [Fact]
    public void CreateNew_Twice_ThrowsRegionExistsNamingRegion()
    {
        string name = _scope.Name();
        using SharedMemory first = SharedMemory.CreateNew(name, 64);
        first.Span[0] = 1;

        var e = Assert.Throws<RegionExistsException>(() => SharedMemory.CreateNew(name, 64));

        Assert.Equal(name, e.RegionName);
        Assert.Contains($"'{name}' already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, first.ReadOnlySpan[0]); // untouched
    }

    [Fact]
    public void OpenExisting_Missing_ThrowsRegionNotFoundAndTryReturnsFalse()
    {
        string name = _scope.Name();

        var e = Assert.Throws<RegionNotFoundException>(() => SharedMemory.OpenExisting(name));

        Assert.Equal(name, e.RegionName);
        Assert.Contains($"'{name}' does not exist", e.Message, StringComparison.Ordinal);
        Assert.False(SharedMemory.TryOpenExisting(name, out SharedMemory? region));
        Assert.Null(region);
        Assert.Throws<RegionNotFoundException>(() => SharedString.OpenExisting(name));
        Assert.Throws<RegionNotFoundException>(() => SharedValue<Octet>.OpenExisting(name));
        Assert.False(SharedString.TryOpenExisting(name, out _));
        Assert.False(SharedValue<Octet>.TryOpenExisting(name, out _));
        Assert.Empty(_scope.Leftovers());
    }

    [Fact]
    public void Span_WritesAreSeenByAnotherView()
    {
        string name = _scope.Name();
        using SharedMemory a = SharedMemory.CreateNew(name, 4096);
        using SharedMemory b = SharedMemory.OpenExisting(name);

        Patterns.Fill(a.Span, 4);
        a.AsRef<long>(8) = 0x0102030405060708;

        Assert.Equal(0x0102030405060708, b.AsRef<long>(8));
        Assert.Equal(-1, Patterns.FindMismatch(b.ReadOnlySpan[16..], 4, 16));
        Assert.Equal(a.ReadOnlySpan[100..200].ToArray(), b.GetReadOnlySpan(100, 100).ToArray());
    }

    [Fact]
    public void GetSpanAndAsRef_OutOfRange_ThrowArgumentOutOfRange()
    {
        using SharedMemory region = SharedMemory.CreateNew(_scope.Name(), 100);

        Assert.Throws<ArgumentOutOfRangeException>(() => region.GetSpan(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.GetSpan(0, 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.GetSpan(100, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.GetReadOnlySpan(99, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.GetReadOnlySpan(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.AsRef<long>(93));
        Assert.Equal(0, region.GetSpan(100, 0).Length);
        Assert.Equal(0L, region.AsRef<long>(92));
    }

    [Fact]
    public void Dispose_Twice_IsHarmless()
    {
        string name = _scope.Name();
        SharedMemory region = SharedMemory.CreateNew(name, 64);
        SharedString text = SharedString.CreateNew(_scope.Name("s"), 16);
        SharedValue<Octet> value = SharedValue<Octet>.CreateNew(_scope.Name("v"));

        region.Dispose();
        region.Dispose();
        text.Dispose();
        text.Dispose();
        value.Dispose();
        value.Dispose();

        Assert.Empty(_scope.Leftovers());
    }

    [Fact]
    public void Members_AfterDispose_ThrowObjectDisposed()
    {
        SharedMemory region = SharedMemory.CreateNew(_scope.Name(), 64);
        region.Dispose();

        Assert.Throws<ObjectDisposedException>(() => region.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => region.ReadOnlySpan.Length);
        Assert.Throws<ObjectDisposedException>(() => region.GetSpan(0, 1).Length);
        Assert.Throws<ObjectDisposedException>(() => region.GetReadOnlySpan(0, 1).Length);
        Assert.Throws<ObjectDisposedException>(() => region.AsRef<int>(0));
        Assert.Throws<ObjectDisposedException>(() => { unsafe { _ = region.DangerousGetPointer(); } });
    }

    [Fact]
    public void StringAndValueMembers_AfterDispose_ThrowObjectDisposed()
    {
        SharedString text = SharedString.CreateNew(_scope.Name("s"), 16);
        SharedValue<Octet> value = SharedValue<Octet>.CreateNew(_scope.Name("v"));
        text.Dispose();
        value.Dispose();

        Assert.Throws<ObjectDisposedException>(() => text.Get());
        Assert.Throws<ObjectDisposedException>(() => text.Get(new byte[16]));
        Assert.Throws<ObjectDisposedException>(() => text.Set("x"));
        Assert.Throws<ObjectDisposedException>(() => text.Set("x"u8));
        Assert.Throws<ObjectDisposedException>(() => text.Version);
        Assert.Throws<ObjectDisposedException>(() => value.Read());
        Assert.Throws<ObjectDisposedException>(() => value.Write(Octet.Of(1)));
        Assert.Throws<ObjectDisposedException>(() => value.Value.A);
        Assert.Throws<ObjectDisposedException>(() => value.ReadOnlyValue.A);
        Assert.Throws<ObjectDisposedException>(() => value.Version);
    }

    [Fact]
    public void ToString_NamesRegionAndSize()
    {
        string name = _scope.Name();
        using SharedMemory region = SharedMemory.CreateNew(name, 64);
        using SharedMemory ro = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);

        Assert.Equal($"SharedMemory '{name}' (64 bytes)", region.ToString());
        Assert.Equal($"SharedMemory '{name}' (64 bytes, read-only)", ro.ToString());
    }

    public void Dispose() => _scope.Dispose();
}
