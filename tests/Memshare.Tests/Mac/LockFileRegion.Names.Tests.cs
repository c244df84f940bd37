using System.Runtime.Versioning;
using Memshare.Platform;

namespace Memshare.Tests.Mac;

/// <summary>
/// Lock-file names on a case-insensitive file system (APFS's default): region names that differ only in case
/// are different shm objects and must get lock files that differ even after case-folding.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed unsafe class LockFileRegionNamesTests : IDisposable
{
    private readonly LockFileSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void LockFileName_AllShortNames_InjectiveAndFreeOfUpperCase()
    {
        const string Alphabet = "aAbB_.-0";
        var names = new List<string> { "" };
        for (int length = 1; length <= 3; length++)
        {
            names.AddRange(names.Where(n => n.Length == length - 1).SelectMany(n => Alphabet.Select(c => n + c)).ToList());
        }

        names.RemoveAt(0);
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string name in names)
        {
            string file = LockFileName.For(name);
            Assert.Equal(file.ToLowerInvariant(), file);
            Assert.EndsWith(".lock", file, StringComparison.Ordinal);
            Assert.True(seen.TryAdd(file, name), $"'{name}' and '{(seen.TryGetValue(file, out string? other) ? other : "")}' share lock file '{file}'");
        }

        Assert.Equal(8 + 64 + 512, seen.Count);
        Assert.Equal("_foo.lock", LockFileName.For("Foo"));
        Assert.Equal("__foo.lock", LockFileName.For("_foo"));
    }

    [Fact]
    public void LockFileName_LongestMacName_FitsInAFileName()
    {
        string longest = new('Z', RegionName.MaxLengthMacOS);
        Assert.InRange(LockFileName.For(longest).Length, 1, 255);
    }

    [Fact]
    public void CreateNew_NamesDifferingInCase_AreSeparateRegionsWithSeparateLockFiles()
    {
        using LockFileRegion upper = _box.Create("Foo", 4096, initializer: m => m.Fill(1));
        LockFileRegion lower = _box.Create("foo", 4096, initializer: m => m.Fill(2));
        Assert.True(lower.Created);
        string[] files = _box.LockFiles();
        Assert.Equal(2, files.Distinct(StringComparer.OrdinalIgnoreCase).Count());

        lower.Dispose(); // its last holder removes "foo" only
        Assert.False(File.Exists(_box.ShmPath("foo")));
        using LockFileRegion again = _box.Open("Foo", RegionMode.OpenExisting, 0)!;
        Assert.Equal(1, again.Base[100]);
    }
}
