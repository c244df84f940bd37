using Memshare.TestChild;
using Memshare.Conformance.Infrastructure;

namespace Memshare.Conformance;

/// <summary>The naming rule, and the argument checks that run before anything touches /dev/shm.</summary>
public sealed class RegionNameTests : IDisposable
{
    private const string CharRule = "names may use letters, digits, '.', '_' and '-'.";

    private readonly RegionScope _scope = new();

    public static TheoryData<string, string> InvalidNames => new()
    {
        { "", "is empty; names use 1 or more of letters, digits, '.', '_' and '-'" },
        { ".", "may not be '.' or '..'" },
        { "..", "may not be '.' or '..'" },
        { "/", "contains '/'; " + CharRule },
        { "P/b", "contains '/'; " + CharRule },
        { "P\\b", "contains '\\'; " + CharRule },
        { "P\0b", "contains '\\u0000'; " + CharRule },
        { "P\nb", "contains '\\u000A'; " + CharRule },
        { "P\tb", "contains '\\u0009'; " + CharRule },
        { "P b", "contains ' '; " + CharRule },
        { "Pé", "contains 'é'; " + CharRule },
        { "P:b", "contains ':'; " + CharRule },
        { "P*", "contains '*'; " + CharRule },
        { "P" + new string('x', RegionName.MaxLength), "has 212 characters; the maximum is 200. Use a shorter name." },
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void Factories_InvalidName_ThrowArgumentExceptionStatingRuleAndCreateNothing(string template, string rule)
    {
        // "P" stands for this test's prefix, so anything created by mistake shows up as a leftover.
        string name = template.Replace("P", _scope.Prefix, StringComparison.Ordinal);
        var persistent = new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent };

        Action[] calls =
        [
            () => SharedMemory.CreateNew(name, 64),
            () => SharedMemory.CreateNew(name, 64, options: persistent),
            () => SharedMemory.CreateOrOpen(name, 64, out _),
            () => SharedMemory.OpenExisting(name),
            () => SharedMemory.TryOpenExisting(name, out _),
            () => SharedMemory.Remove(name),
            () => SharedString.CreateNew(name, 16),
            () => SharedString.CreateOrOpen(name, 16, out _),
            () => SharedString.OpenExisting(name),
            () => SharedValue<Octet>.CreateNew(name),
            () => SharedValue<Octet>.CreateOrOpen(name, out _),
            () => SharedValue<Octet>.OpenExisting(name),
        ];

        foreach (Action call in calls)
        {
            var e = Assert.Throws<ArgumentException>(call);
            Assert.Equal("name", e.ParamName);
            Assert.Contains(rule, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message.Split(" (Parameter")[0]);
        }

        Assert.False(RegionName.IsValid(name));
        Assert.Empty(_scope.Leftovers());
    }

    [Theory]
    [InlineData("a")]
    [InlineData("...")]
    [InlineData("A-b_c.d")]
    [InlineData("0123456789")]
    public void IsValid_AllowedNames_True(string name) => Assert.True(RegionName.IsValid(name));

    [Fact]
    public void CreateNew_NameOfMaxLength_Works()
    {
        string name = _scope.Prefix + new string('x', RegionName.MaxLength - _scope.Prefix.Length);
        Assert.Equal(RegionName.MaxLength, name.Length);

        using SharedMemory region = SharedMemory.CreateNew(name, 64);

        Assert.True(RegionScope.Exists(name));
    }

    [Fact]
    public void Factories_NullName_ThrowArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => SharedMemory.CreateNew(null!, 64));
        Assert.Throws<ArgumentNullException>(() => SharedMemory.OpenExisting(null!));
        Assert.Throws<ArgumentNullException>(() => SharedMemory.Remove(null!));
        Assert.False(RegionName.IsValid(null));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void CreateNew_SizeNotPositive_ThrowsArgumentOutOfRangeAndCreatesNothing(long size)
    {
        string name = _scope.Name();

        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.CreateNew(name, size));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.CreateOrOpen(name, size, out _));

        Assert.Equal("size", e1.ParamName);
        Assert.Contains("is not positive", e1.Message, StringComparison.Ordinal);
        Assert.Contains(name, e2.Message, StringComparison.Ordinal);
        Assert.Empty(_scope.Leftovers());
    }

    [Theory]
    [InlineData(UnixFileMode.UserExecute)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherExecute)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.SetUser)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.SetGroup)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.StickyBit)]
    public void CreateNew_PermissionsBeyondReadWrite_ThrowArgumentExceptionAndCreateNothing(UnixFileMode permissions)
    {
        string name = _scope.Name();
        var options = new SharedMemoryOptions { Permissions = permissions };

        var e = Assert.Throws<ArgumentException>(() => SharedMemory.CreateNew(name, 64, options: options));
        Assert.Throws<ArgumentException>(() => SharedMemory.CreateOrOpen(name, 64, out _, options: options));
        Assert.Throws<ArgumentException>(() => SharedString.CreateNew(name, 64, options));

        Assert.Equal("options", e.ParamName);
        Assert.Contains("use only read and write bits", e.Message, StringComparison.Ordinal);
        Assert.Empty(_scope.Leftovers());
    }

    [Fact]
    public void CreateNew_ReadOnlyAccess_ThrowsArgumentExceptionAndCreatesNothing()
    {
        string name = _scope.Name();
        var options = new SharedMemoryOptions { Access = SharedMemoryAccess.Read };

        var e = Assert.Throws<ArgumentException>(() => SharedMemory.CreateNew(name, 64, options: options));

        Assert.Contains("cannot be created read-only", e.Message, StringComparison.Ordinal);
        Assert.Empty(_scope.Leftovers());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(StringLayoutMaxCapacity + 1)]
    public void SharedStringCreateNew_CapacityOutOfRange_ThrowsAndCreatesNothing(int capacity)
    {
        string name = _scope.Name();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SharedString.CreateNew(name, capacity));

        Assert.Equal("capacity", e.ParamName);
        Assert.Contains("use 1 to 67108864 bytes", e.Message, StringComparison.Ordinal);
        Assert.Empty(_scope.Leftovers());
    }

    private const int StringLayoutMaxCapacity = 64 << 20;

    public void Dispose() => _scope.Dispose();
}
