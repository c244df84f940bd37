using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>A <see cref="SharedMemoryWindow"/> maps a window of the region, and only windows that fit.</summary>
public sealed class SharedMemoryViewWindowTests : IDisposable
{
    private const int RegionBytes = (3 * 4096) + 100;

    private readonly RegionScope _scope = new();

    [Fact]
    public void OpenExisting_Window_MapsTheRightBytesOfRegionWrittenByOtherProcess()
    {
        string name = _scope.Name();
        Peer p = Peer.Start(_scope);
        p.Expect($"create-new {name} {RegionBytes}", "created");
        p.Expect("fill 11", "ok");

        using SharedMemory window = SharedMemory.OpenExisting(name, new SharedMemoryWindow(5000, 300));

        Assert.Equal(5000, window.Offset);
        Assert.Equal(300, window.Size);
        Assert.Equal(RegionBytes, window.RegionSize);
        Assert.Equal(-1, Patterns.FindMismatch(window.ReadOnlySpan, 11, 5000));

        // And back: a write at the window's start lands at offset 5000 of the region.
        window.Span[0] = 0xAB;
        window.Span[299] = 0xCD;
        p.Expect("read-hex 5000 1", "hex AB");
        p.Expect("read-hex 5299 1", "hex CD");
        p.Exit();
    }

    [Fact]
    public void OpenExisting_WindowToEnd_SpansRestOfRegion()
    {
        string name = _scope.Name();
        using SharedMemory full = SharedMemory.CreateNew(name, RegionBytes);
        Patterns.Fill(full.Span, 12);

        using SharedMemory tail = SharedMemory.OpenExisting(name, new SharedMemoryWindow(4097));

        Assert.Equal(RegionBytes - 4097, tail.Size);
        Assert.Equal(-1, Patterns.FindMismatch(tail.ReadOnlySpan, 12, 4097));
        Assert.Throws<ArgumentOutOfRangeException>(() => tail.GetSpan(tail.Size - 1, 2));
    }

    [Fact]
    public void CreateOrOpen_Window_ViewsWindowButInitializerSeesWholeRegion()
    {
        string name = _scope.Name();
        int initializerLength = 0;
        RegionInitializer initializer = m =>
        {
            initializerLength = m.Length;
            Patterns.Fill(m, 13);
        };

        using SharedMemory region = SharedMemory.CreateOrOpen(name, 1024, new SharedMemoryWindow(64, 128), out bool created, initializer);

        Assert.True(created);
        Assert.Equal(1024, initializerLength);
        Assert.Equal(128, region.Size);
        Assert.Equal(-1, Patterns.FindMismatch(region.ReadOnlySpan, 13, 64));
    }

    public static TheoryData<long, long?> BadWindows => new()
    {
        { -1, null },
        { 0, 0 },
        { 0, -1 },
        { RegionBytes + 1, null },
        { RegionBytes, null },      // would be an empty view
        { RegionBytes, 1 },
        { 0, RegionBytes + 1 },
        { RegionBytes - 10, 11 },
        { long.MaxValue, 1 },
    };

    [Theory]
    [MemberData(nameof(BadWindows))]
    public void OpenExisting_WindowOutsideRegion_ThrowsArgumentOutOfRange(long offset, long? length)
    {
        string name = _scope.Name();
        using SharedMemory region = SharedMemory.CreateNew(name, RegionBytes);
        var window = new SharedMemoryWindow(offset, length);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.OpenExisting(name, window));

        Assert.Contains($"does not fit region '{name}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadWindows))]
    public void CreateOrOpen_WindowOutsideRegion_ThrowsAndLeavesNothing(long offset, long? length)
    {
        string name = _scope.Name();
        var window = new SharedMemoryWindow(offset, length);
        var persistent = new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.CreateOrOpen(name, RegionBytes, window, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.CreateOrOpen(name, RegionBytes, window, out _, options: persistent));

        Assert.Equal("window", e.ParamName);

        Assert.Empty(_scope.Leftovers());
    }

    [Fact]
    public void CreateOrOpen_ExistingLargerRegionWindowBeyondRequestedSize_ThrowsArgumentOutOfRange()
    {
        // CreateOrOpen promises a view within the size asked for, even when the existing region is larger.
        string name = _scope.Name();
        using SharedMemory big = SharedMemory.CreateNew(name, 8192);

        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.CreateOrOpen(name, 4096, new SharedMemoryWindow(5000), out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.CreateOrOpen(name, 4096, new SharedMemoryWindow(4096), out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.CreateOrOpen(name, 4096, new SharedMemoryWindow(4000, 97), out _));

        using SharedMemory ok = SharedMemory.CreateOrOpen(name, 4096, new SharedMemoryWindow(4000), out bool created);
        Assert.False(created);
        Assert.Equal(96, ok.Size);
    }

    public void Dispose() => _scope.Dispose();
}
