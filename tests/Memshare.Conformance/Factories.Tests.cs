using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>
/// The factory contract every public type shares: CreateNew, OpenExisting, TryOpenExisting and CreateOrOpen (with
/// and without <c>out created</c>), creation arguments after the name and <see cref="SharedMemoryOptions"/> last.
/// </summary>
public sealed class FactoryContractTests : IDisposable
{
    private readonly RegionScope _scope = new();

    public static TheoryData<string> Types => ["raw", "value", "string", "lock", "event", "channel"];

    /// <summary>Types that may be opened read-only; the others write to their region on every use.</summary>
    public static TheoryData<string> ReadableTypes => ["raw", "value", "string"];

    public static TheoryData<string> WritingTypes => ["lock", "event", "channel"];

    [Theory]
    [MemberData(nameof(Types))]
    public void CreateNew_NameExists_ThrowsRegionExistsNamingIt(string type)
    {
        string name = _scope.Name();
        Factories f = Factories.For(type);
        using IDisposable first = f.CreateNew(name, null);

        var e = Assert.Throws<RegionExistsException>(() => f.CreateNew(name, null).Dispose());

        Assert.Equal(name, e.RegionName);
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void OpenExisting_Absent_ThrowsRegionNotFound_AndTryOpenExistingReturnsFalse(string type)
    {
        string name = _scope.Name();
        Factories f = Factories.For(type);

        var e = Assert.Throws<RegionNotFoundException>(() => f.OpenExisting(name, null).Dispose());
        bool found = f.TryOpenExisting(name, out IDisposable? opened, null);

        Assert.Equal(name, e.RegionName);
        Assert.False(found);
        Assert.Null(opened);
        Assert.Empty(_scope.Leftovers());
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void CreateOrOpen_FreshThenExisting_SaysCreatedOnlyTheFirstTime(string type)
    {
        string name = _scope.Name();
        Factories f = Factories.For(type);

        using IDisposable first = f.CreateOrOpen(name, out bool created1, null);
        using IDisposable second = f.CreateOrOpen(name, out bool created2, null);
        using IDisposable third = f.CreateOrOpenPlain(name, null);
        using IDisposable opened = f.OpenExisting(name, null);
        bool found = f.TryOpenExisting(name, out IDisposable? tried, null);
        tried?.Dispose();

        Assert.True(created1);
        Assert.False(created2);
        Assert.True(found);
        Assert.NotNull(tried);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void TryOpenExisting_RegionOfAnotherKind_ThrowsInsteadOfReturningFalse(string type)
    {
        // False means "not found" only: a region that exists but holds something else is an error to report.
        string name = _scope.Name();
        Factories f = Factories.For(type);
        using SharedValue<Guid> other = SharedValue<Guid>.CreateNew(name, Guid.NewGuid());

        if (type == "raw")
        {
            Assert.True(f.TryOpenExisting(name, out IDisposable? raw, null));
            raw!.Dispose();
            return;
        }

        var e = Assert.Throws<RegionFormatException>(() => f.TryOpenExisting(name, out _, null));
        Assert.Equal(name, e.RegionName);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void CreateNew_ReadOnlyOptions_ThrowsArgumentNamingRegion_AndCreatesNothing(string type)
    {
        string name = _scope.Name();
        Factories f = Factories.For(type);

        var create = Assert.ThrowsAny<ArgumentException>(() => f.CreateNew(name, SharedMemoryOptions.ReadOnly).Dispose());
        var either = Assert.ThrowsAny<ArgumentException>(() => f.CreateOrOpen(name, out _, SharedMemoryOptions.ReadOnly).Dispose());

        Assert.Contains($"'{name}'", create.Message, StringComparison.Ordinal);
        Assert.Contains("SharedMemoryAccess.ReadWrite", create.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", either.Message, StringComparison.Ordinal);
        Assert.Empty(_scope.Leftovers());
    }

    [Theory]
    [MemberData(nameof(ReadableTypes))]
    public void OpenExisting_ReadOnlyOptions_OpensReadOnly(string type)
    {
        string name = _scope.Name();
        Factories f = Factories.For(type);
        using IDisposable writable = f.CreateNew(name, null);

        using IDisposable ro = f.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        Assert.True(f.TryOpenExisting(name, out IDisposable? tried, SharedMemoryOptions.ReadOnly));
        using IDisposable alsoRo = tried!;

        Assert.False(Factories.IsReadOnly(writable));
        Assert.True(Factories.IsReadOnly(ro));
        Assert.True(Factories.IsReadOnly(alsoRo));
    }

    [Theory]
    [MemberData(nameof(WritingTypes))]
    public void OpenExisting_ReadOnlyOptions_ThrowsArgumentNamingRegion(string type)
    {
        string name = _scope.Name();
        Factories f = Factories.For(type);
        using IDisposable writable = f.CreateNew(name, null);

        var open = Assert.ThrowsAny<ArgumentException>(() => f.OpenExisting(name, SharedMemoryOptions.ReadOnly).Dispose());
        var tryOpen = Assert.ThrowsAny<ArgumentException>(() => f.TryOpenExisting(name, out _, SharedMemoryOptions.ReadOnly));

        Assert.Contains($"'{name}'", open.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", tryOpen.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void CreateNew_PersistentOptions_RegionOutlivesItsCreator(string type)
    {
        string name = _scope.Name();
        Factories f = Factories.For(type);
        var persistent = new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent };
        if (!OsTraits.PersistentRegions)
        {
            Assert.Throws<PlatformNotSupportedException>(() => f.CreateNew(name, persistent).Dispose());
            return;
        }

        f.CreateNew(name, persistent).Dispose();

        Assert.True(f.TryOpenExisting(name, out IDisposable? again, null));
        again!.Dispose();
        Assert.True(SharedMemory.Remove(name));
    }

    [Fact]
    public void SharedValue_CreateNewAndCreateOrOpen_HoldTheInitialValue()
    {
        string name = _scope.Name();
        using SharedValue<long> created = SharedValue<long>.CreateNew(name, 42);
        using SharedValue<long> opened = SharedValue<long>.CreateOrOpen(name, 7);
        using SharedValue<long> fresh = SharedValue<long>.CreateOrOpen(_scope.Name("b"), 7);

        Assert.Equal(42, opened.Read());
        Assert.Equal(7, fresh.Read());
    }

    [Fact]
    public void SharedString_CreateOrOpen_ExistingSlotKeepsItsCapacity()
    {
        string name = _scope.Name();
        using SharedString created = SharedString.CreateNew(name, 16);
        using SharedString opened = SharedString.CreateOrOpen(name, 64);

        Assert.Equal(16, opened.Capacity);
    }

    [Fact]
    public void SharedEvent_CreateNew_HonoursModeAndInitialState()
    {
        using SharedEvent manual = SharedEvent.CreateNew(_scope.Name("m"), EventResetMode.ManualReset, initialState: true);
        using SharedEvent auto = SharedEvent.CreateNew(_scope.Name("a"));
        using SharedEvent opened = SharedEvent.CreateOrOpen(manual.Name, out bool created, EventResetMode.AutoReset);

        Assert.Equal(EventResetMode.ManualReset, manual.Mode);
        Assert.True(manual.IsSet);
        Assert.Equal(EventResetMode.AutoReset, auto.Mode);
        Assert.False(auto.IsSet);
        Assert.False(created);
        Assert.Equal(EventResetMode.ManualReset, opened.Mode);
    }

    [Fact]
    public void SharedEvent_UnknownMode_ThrowsNamingRegion()
    {
        string name = _scope.Name();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SharedEvent.CreateNew(name, (EventResetMode)7));

        Assert.Equal("mode", e.ParamName);
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("EventResetMode.ManualReset", e.Message, StringComparison.Ordinal);
        Assert.Empty(_scope.Leftovers());
    }

    [Fact]
    public void SharedChannel_CreateNew_HonoursChannelAndRegionOptionsSeparately()
    {
        string name = _scope.Name();
        var settings = new SharedChannelOptions { Capacity = 8192, Mode = ChannelMode.Broadcast, MaxReaders = 3 };

        using SharedChannel channel = SharedChannel.CreateNew(name, settings, new SharedMemoryOptions { AllowOtherOwner = true });
        using SharedChannel opened = SharedChannel.CreateOrOpen(name, out bool created, new SharedChannelOptions { Capacity = 4096 });

        Assert.False(created);
        Assert.Equal(8192, opened.Capacity);
        Assert.Equal(ChannelMode.Broadcast, opened.Mode);
        Assert.Equal(3, opened.MaxReaders);
    }

    [Theory]
    [InlineData(5000, ChannelMode.SingleProducer, 8, ChannelOverflow.BackPressure, "power of two")]
    [InlineData(4096, ChannelMode.Broadcast, 0, ChannelOverflow.BackPressure, "MaxReaders 0")]
    [InlineData(4096, (ChannelMode)9, 8, ChannelOverflow.BackPressure, "SingleProducer, MultiProducer or Broadcast")]
    [InlineData(4096, ChannelMode.SingleProducer, 8, (ChannelOverflow)9, "BackPressure or Overrun")]
    public void SharedChannel_BadSettings_ThrowNamingRegionAndTheFix(int capacity, ChannelMode mode, int maxReaders, ChannelOverflow overflow, string fix)
    {
        var settings = new SharedChannelOptions { Capacity = capacity, Mode = mode, MaxReaders = maxReaders, Overflow = overflow };
        string name = _scope.Name();

        var create = Assert.Throws<ArgumentOutOfRangeException>(() => SharedChannel.CreateNew(name, settings));
        var either = Assert.Throws<ArgumentOutOfRangeException>(() => SharedChannel.CreateOrOpen(name, settings));

        Assert.Equal("channelOptions", create.ParamName);
        Assert.Contains($"'{name}'", create.Message, StringComparison.Ordinal);
        Assert.Contains(fix, create.Message, StringComparison.Ordinal);
        Assert.Equal(create.Message, either.Message);
        Assert.Empty(_scope.Leftovers());
    }

    public void Dispose() => _scope.Dispose();

    private delegate IDisposable CreateOrOpenFn(string name, out bool created, SharedMemoryOptions? options);

    private delegate bool TryOpenFn(string name, out IDisposable? opened, SharedMemoryOptions? options);

    /// <summary>One type's factories, called with the same region options, so each test states the contract once for all six.</summary>
    private sealed record Factories(
        Func<string, SharedMemoryOptions?, IDisposable> CreateNew,
        Func<string, SharedMemoryOptions?, IDisposable> OpenExisting,
        TryOpenFn TryOpenExisting,
        CreateOrOpenFn CreateOrOpen,
        Func<string, SharedMemoryOptions?, IDisposable> CreateOrOpenPlain)
    {
        private static readonly SharedChannelOptions Small = new() { Capacity = 4096 };

        public static Factories For(string type) => type switch
        {
            "raw" => new(
                (n, o) => SharedMemory.CreateNew(n, 4096, options: o),
                (n, o) => SharedMemory.OpenExisting(n, o),
                (string n, out IDisposable? r, SharedMemoryOptions? o) => Try(SharedMemory.TryOpenExisting(n, out SharedMemory? x, o), x, out r),
                (string n, out bool c, SharedMemoryOptions? o) => SharedMemory.CreateOrOpen(n, 4096, out c, options: o),
                (n, o) => SharedMemory.CreateOrOpen(n, 4096, options: o)),
            "value" => new(
                (n, o) => SharedValue<long>.CreateNew(n, 42, o),
                (n, o) => SharedValue<long>.OpenExisting(n, o),
                (string n, out IDisposable? r, SharedMemoryOptions? o) => Try(SharedValue<long>.TryOpenExisting(n, out SharedValue<long>? x, o), x, out r),
                (string n, out bool c, SharedMemoryOptions? o) => SharedValue<long>.CreateOrOpen(n, out c, 42, o),
                (n, o) => SharedValue<long>.CreateOrOpen(n, 42, o)),
            "string" => new(
                (n, o) => SharedString.CreateNew(n, 32, o),
                (n, o) => SharedString.OpenExisting(n, o),
                (string n, out IDisposable? r, SharedMemoryOptions? o) => Try(SharedString.TryOpenExisting(n, out SharedString? x, o), x, out r),
                (string n, out bool c, SharedMemoryOptions? o) => SharedString.CreateOrOpen(n, 32, out c, o),
                (n, o) => SharedString.CreateOrOpen(n, 32, o)),
            "lock" => new(
                (n, o) => SharedLock.CreateNew(n, o),
                (n, o) => SharedLock.OpenExisting(n, o),
                (string n, out IDisposable? r, SharedMemoryOptions? o) => Try(SharedLock.TryOpenExisting(n, out SharedLock? x, o), x, out r),
                (string n, out bool c, SharedMemoryOptions? o) => SharedLock.CreateOrOpen(n, out c, o),
                (n, o) => SharedLock.CreateOrOpen(n, o)),
            "event" => new(
                (n, o) => SharedEvent.CreateNew(n, options: o),
                (n, o) => SharedEvent.OpenExisting(n, o),
                (string n, out IDisposable? r, SharedMemoryOptions? o) => Try(SharedEvent.TryOpenExisting(n, out SharedEvent? x, o), x, out r),
                (string n, out bool c, SharedMemoryOptions? o) => SharedEvent.CreateOrOpen(n, out c, options: o),
                (n, o) => SharedEvent.CreateOrOpen(n, options: o)),
            "channel" => new(
                (n, o) => SharedChannel.CreateNew(n, Small, o),
                (n, o) => SharedChannel.OpenExisting(n, o),
                (string n, out IDisposable? r, SharedMemoryOptions? o) => Try(SharedChannel.TryOpenExisting(n, out SharedChannel? x, o), x, out r),
                (string n, out bool c, SharedMemoryOptions? o) => SharedChannel.CreateOrOpen(n, out c, Small, o),
                (n, o) => SharedChannel.CreateOrOpen(n, Small, o)),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown type"),
        };

        public static bool IsReadOnly(IDisposable opened) => opened switch
        {
            SharedMemory m => m.IsReadOnly,
            SharedValue<long> v => v.IsReadOnly,
            SharedString s => s.IsReadOnly,
            _ => throw new ArgumentOutOfRangeException(nameof(opened), opened, "no read-only flag"),
        };

        private static bool Try(bool found, IDisposable? value, out IDisposable? opened)
        {
            opened = value;
            return found;
        }
    }
}
