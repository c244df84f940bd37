using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>SharedValue&lt;T&gt;: typed, checked, and visible across processes.</summary>
public sealed class SharedValueTests : IDisposable
{
    private readonly RegionScope _scope = new();

    [Fact]
    public void CreateNew_InitialValue_VisibleToOpenerInOtherProcess()
    {
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(12345));
        Peer p = Peer.Start(_scope);

        p.Expect($"value-open {name}", "opened");
        p.Expect("value-read", "value " + Octet.Of(12345));
        p.Exit();

        Assert.Equal(0, value.Version);
    }

    [Fact]
    public void CreateNew_InOtherProcess_InitialValueVisibleHere()
    {
        string name = _scope.Name();
        Peer p = Peer.Start(_scope);
        p.Expect($"value-create-new {name} 777", "created");

        using SharedValue<Octet> value = SharedValue<Octet>.OpenExisting(name);

        Assert.Equal(Octet.Of(777), value.Read());
        Assert.Equal(Octet.Of(777), value.ReadOnlyValue);
        p.Exit();
    }

    [Fact]
    public void Write_FromOtherProcess_ReadSeesItAndVersionCounts()
    {
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(1));
        Peer p = Peer.Start(_scope);
        p.Expect($"value-open {name}", "opened");

        p.Expect("value-write 2", "ok");
        Assert.Equal(Octet.Of(2), value.Read());
        p.Expect("value-write 3", "ok");
        Assert.Equal(Octet.Of(3), value.Read());
        Assert.Equal(2, value.Version);

        value.Write(Octet.Of(4));
        p.Expect("value-read", "value " + Octet.Of(4));
        p.Exit();
    }

    [Fact]
    public void Value_RefWrites_VisibleToOtherProcess()
    {
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(0));
        Peer p = Peer.Start(_scope);
        p.Expect($"value-open {name}", "opened");

        value.Value.A = 10;
        value.Value.H = 80;
        ref Octet direct = ref value.Value;
        direct.D = 40;

        var expected = new Octet { A = 10, D = 40, H = 80 };
        p.Expect("value-ref-read", "value " + expected);
        p.Expect("value-read", "value " + expected);
        Assert.Equal(expected, value.Read());

        // After a synchronised write the current value lives in the other slot: fetch the reference again.
        value.Write(Octet.Of(5));
        value.Value.B = 6;
        p.Expect("value-read", "value " + (Octet.Of(5) with { B = 6 }));
        p.Exit();
    }

    [Fact]
    public void CreateOrOpen_Existing_KeepsValueAndReportsOpened()
    {
        string name = _scope.Name();
        using SharedValue<Octet> first = SharedValue<Octet>.CreateOrOpen(name, out bool created1, Octet.Of(1));
        using SharedValue<Octet> second = SharedValue<Octet>.CreateOrOpen(name, out bool created2, Octet.Of(2));

        Assert.True(created1);
        Assert.False(created2);
        Assert.Equal(Octet.Of(1), second.Read());
        Assert.Equal($"SharedValue<Octet> '{name}'", second.ToString());
    }

    [Fact]
    public void OpenExisting_OtherSmallerType_ThrowsNamingBothTypesAndSizes()
    {
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(1));

        var e = Assert.Throws<RegionFormatException>(() => SharedValue<Small>.OpenExisting(name));
        var e2 = Assert.Throws<RegionFormatException>(() => SharedValue<Small>.CreateOrOpen(name, out _));

        foreach (RegionFormatException x in new[] { e, e2 })
        {
            Assert.Equal(name, x.RegionName);
            Assert.Contains($"Region '{name}' holds a SharedValue<Octet> of 64 bytes", x.Message, StringComparison.Ordinal);
            Assert.Contains("but was opened as SharedValue<Small> of 4 bytes", x.Message, StringComparison.Ordinal);
        }

        Assert.Equal(Octet.Of(1), value.Read());
    }

    [Fact]
    public void OpenExistingAndCreateOrOpen_OtherLargerType_ThrowNamingBothTypesAndSizes()
    {
        // A larger T needs a larger region; the mismatch must still be reported as a type mismatch.
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(1));

        var e = Assert.Throws<RegionFormatException>(() => SharedValue<Big>.OpenExisting(name));
        var e2 = Assert.Throws<RegionFormatException>(() => SharedValue<Big>.CreateOrOpen(name, out _));

        foreach (RegionFormatException x in new[] { e, e2 })
        {
            Assert.Contains("holds a SharedValue<Octet> of 64 bytes", x.Message, StringComparison.Ordinal);
            Assert.Contains("opened as SharedValue<Big> of 80 bytes", x.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OpenExisting_TypeWithLongName_MessageNamesItInFull()
    {
        string name = _scope.Name();
        using SharedValue<InstrumentQuoteSnapshotRecord> value = SharedValue<InstrumentQuoteSnapshotRecord>.CreateNew(name);

        var e = Assert.Throws<RegionFormatException>(() => SharedValue<Small>.OpenExisting(name));

        Assert.Contains("holds a SharedValue<InstrumentQuoteSnapshotRecord> of 16 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenExisting_SameSizeOtherType_ThrowsNamingBothTypes()
    {
        string name = _scope.Name();
        using SharedValue<long> value = SharedValue<long>.CreateNew(name, 5);

        var e = Assert.Throws<RegionFormatException>(() => SharedValue<double>.OpenExisting(name));

        Assert.Contains("holds a SharedValue<Int64> of 8 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("opened as SharedValue<Double> of 8 bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(5, value.Read());
    }

    [Fact]
    public void OpenExisting_RawRegion_ThrowsRegionFormatSayingItIsNotAValue()
    {
        string name = _scope.Name();
        using SharedMemory raw = SharedMemory.CreateNew(name, 4096);
        raw.Span.Fill(0x41);

        var e = Assert.Throws<RegionFormatException>(() => SharedValue<Octet>.OpenExisting(name));
        var e2 = Assert.Throws<RegionFormatException>(() => SharedValue<Octet>.CreateOrOpen(name, out _));

        Assert.Contains($"Region '{name}' is not a Memshare SharedValue", e.Message, StringComparison.Ordinal);
        Assert.Contains("open it with SharedMemory instead", e.Message, StringComparison.Ordinal);
        Assert.Equal(e.Message, e2.Message);
        Assert.Equal(-1, raw.ReadOnlySpan.IndexOfAnyExcept((byte)0x41)); // the failed opens wrote nothing
    }

    [Fact]
    public void OpenExisting_TinyRawRegion_ThrowsHeaderTooSmall()
    {
        string name = _scope.Name();
        using SharedMemory raw = SharedMemory.CreateNew(name, 16);

        var e = Assert.Throws<RegionFormatException>(() => SharedValue<Octet>.OpenExisting(name));

        Assert.Contains($"Region '{name}' has 16 bytes, too few for a Memshare SharedValue header", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenExisting_SharedStringRegion_ThrowsNamingBothKinds()
    {
        string name = _scope.Name();
        using SharedString text = SharedString.CreateNew(name, 4);
        using SharedString bigText = SharedString.CreateNew(_scope.Name("big"), 4000);

        var e = Assert.Throws<RegionFormatException>(() => SharedValue<Octet>.OpenExisting(name));
        var e2 = Assert.Throws<RegionFormatException>(() => SharedValue<Octet>.CreateOrOpen(name, out _));
        var e3 = Assert.Throws<RegionFormatException>(() => SharedValue<Octet>.CreateOrOpen(bigText.Name, out _));

        Assert.Contains($"Region '{name}' holds a Memshare SharedString, not the SharedValue it was opened as", e.Message, StringComparison.Ordinal);
        Assert.Equal(e.Message, e2.Message);
        Assert.Contains("holds a Memshare SharedString, not the SharedValue it was opened as", e3.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedStringOpen_ValueRegion_ThrowsNamingBothKinds()
    {
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name);

        var e = Assert.Throws<RegionFormatException>(() => SharedString.OpenExisting(name));

        Assert.Contains($"Region '{name}' holds a Memshare SharedValue, not the SharedString it was opened as", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenExisting_InOtherProcessWithWrongKind_ReportsRegionFormat()
    {
        string name = _scope.Name();
        using SharedValue<Small> value = SharedValue<Small>.CreateNew(name);
        Peer p = Peer.Start(_scope);

        (string type, string message) = p.ExpectError($"value-open {name}");

        Assert.Equal(nameof(RegionFormatException), type);
        Assert.Contains("holds a SharedValue<Small> of 4 bytes", message, StringComparison.Ordinal);
        Assert.Contains("opened as SharedValue<Octet> of 64 bytes", message, StringComparison.Ordinal);
        p.Exit();
    }

    public void Dispose() => _scope.Dispose();
}
