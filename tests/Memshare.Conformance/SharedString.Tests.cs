using System.Text;
using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>SharedString: capacity in UTF-8 bytes, never truncated, visible across processes.</summary>
public sealed class SharedStringTests : IDisposable
{
    private readonly RegionScope _scope = new();

    [Fact]
    public void CreateNew_NewSlot_HoldsEmptyStringAtVersionZero()
    {
        using SharedString slot = SharedString.CreateNew(_scope.Name(), 32);

        Assert.Equal("", slot.Get());
        Assert.Equal(0, slot.Version);
        Assert.Equal(32, slot.Capacity);
        Assert.False(slot.IsReadOnly);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("")]
    [InlineData("naïve café — 東京 🙂")]
    [InlineData("line1\nline2\0after-nul")]
    public void Set_ThenGet_RoundTripsExactly(string text)
    {
        using SharedString slot = SharedString.CreateNew(_scope.Name(), 64);

        slot.Set(text);

        Assert.Equal(text, slot.Get());
        var buffer = new byte[64];
        int n = slot.Get(buffer);
        Assert.Equal(Encoding.UTF8.GetBytes(text), buffer[..n]);
        Assert.Equal(1, slot.Version);
    }

    [Fact]
    public void Set_ExactlyCapacityInUtf8Bytes_FitsAndOneMoreByteDoesNot()
    {
        using SharedString slot = SharedString.CreateNew(_scope.Name(), 6);
        string fits = "€€"; // 2 characters, 6 UTF-8 bytes

        slot.Set(fits);
        Assert.Equal(fits, slot.Get());

        var e = Assert.Throws<ArgumentException>(() => slot.Set("€€a"));
        Assert.Contains($"The string is 7 UTF-8 bytes but string slot '{slot.Name}' holds at most 6; the slot was not changed", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => slot.Set("1234567"u8));
        Assert.Equal(fits, slot.Get());
        Assert.Equal(1, slot.Version);
    }

    [Fact]
    public void Set_LongStringBeyondStackBuffer_RoundTrips()
    {
        using SharedString slot = SharedString.CreateNew(_scope.Name(), 100_000);
        string text = string.Concat(Enumerable.Range(0, 10_000).Select(i => "ab€"[i % 3]));

        slot.Set(text);

        Assert.Equal(text, slot.Get());
    }

    [Fact]
    public void Get_DestinationSmallerThanCapacity_Throws()
    {
        using SharedString slot = SharedString.CreateNew(_scope.Name(), 16);
        slot.Set("abc");

        var e = Assert.Throws<ArgumentException>(() => slot.Get(new byte[15]));

        Assert.Contains("needs room for 16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_InOtherProcess_GetHereSeesItAndViceVersa()
    {
        string name = _scope.Name();
        using SharedString slot = SharedString.CreateNew(name, 128);
        Peer p = Peer.Start(_scope);
        p.Expect($"string-open {name}", "opened capacity 128");

        p.Expect("string-set from the peer: ü", "ok");
        Assert.Equal("from the peer: ü", slot.Get());

        slot.Set("two\nlines");
        p.Expect("string-get", "value " + Patterns.OneLine("two\nlines"));
        Assert.Equal(2, slot.Version);
        p.Exit();
    }

    [Fact]
    public void CreateOrOpen_ExistingSlot_KeepsItsCapacityWhateverIsRequested()
    {
        string name = _scope.Name();
        using SharedString first = SharedString.CreateOrOpen(name, 16, out bool created1);
        first.Set("kept");

        using SharedString larger = SharedString.CreateOrOpen(name, 1000, out bool created2);
        using SharedString smaller = SharedString.CreateOrOpen(name, 4, out bool created3);

        Assert.True(created1);
        Assert.False(created2);
        Assert.False(created3);
        Assert.Equal(16, larger.Capacity);
        Assert.Equal(16, smaller.Capacity);
        Assert.Equal("kept", larger.Get());
        Assert.Equal("kept", smaller.Get());
    }

    [Fact]
    public void CreateOrOpen_RawRegionAtName_ThrowsRegionFormatAndLeavesItAlone()
    {
        string name = _scope.Name();
        using SharedMemory raw = SharedMemory.CreateNew(name, 64);
        raw.Span.Fill(7);

        var e = Assert.Throws<RegionFormatException>(() => SharedString.CreateOrOpen(name, 1000, out _));

        Assert.Contains($"Region '{name}' is not a Memshare SharedString", e.Message, StringComparison.Ordinal);
        Assert.Equal(-1, raw.ReadOnlySpan.IndexOfAnyExcept((byte)7));
    }

    [Fact]
    public void TryOpenExisting_ExistingSlot_OpensItReadOnlyOnRequest()
    {
        string name = _scope.Name();
        using SharedString slot = SharedString.CreateNew(name, 8);
        slot.Set("x");

        Assert.True(SharedString.TryOpenExisting(name, out SharedString? ro, SharedMemoryOptions.ReadOnly));
        using (ro)
        {
            Assert.True(ro.IsReadOnly);
            Assert.Equal("x", ro.Get());
            Assert.Equal($"SharedString '{name}' (capacity 8 bytes)", ro.ToString());
        }
    }

    [Fact]
    public void Scoped_LastHolderInOtherProcessExits_SlotIsGone()
    {
        string name = _scope.Name();
        Peer p = Peer.Start(_scope);
        p.Expect($"string-create-new {name} 32", "created");
        p.Expect("string-set bye", "ok");
        using (SharedString slot = SharedString.OpenExisting(name))
        {
            Assert.Equal("bye", slot.Get());
        }

        Assert.True(RegionScope.Exists(name));
        p.Exit();

        Assert.False(RegionScope.Exists(name));
    }

    public void Dispose() => _scope.Dispose();
}
