namespace Memshare.Tests.Infrastructure;

/// <summary>
/// Gives a test unique region names and checks, when disposed, that the test left nothing in /dev/shm under
/// them. Leftovers are removed (so a failing test still cleans up) and then reported as a failure.
/// Create one per test (in the test class's constructor) and dispose it in the class's Dispose.
/// </summary>
public sealed class ShmScope : IDisposable
{
    private readonly List<Child> _children = [];

    public ShmScope()
    {
        Prefix = "mst" + Guid.NewGuid().ToString("N")[..10];
    }

    /// <summary>The prefix every name from this scope starts with.</summary>
    public string Prefix { get; }

    /// <summary>A unique region name for this test.</summary>
    public string Name(string tag = "r") => $"{Prefix}-{tag}";

    /// <summary>Tracks a child so it is killed when the scope ends, even if the test failed.</summary>
    public Child Track(Child child)
    {
        _children.Add(child);
        return child;
    }

    /// <summary>What exists in /dev/shm under this scope's prefix now.</summary>
    public string[] Leftovers() =>
        Directory.Exists("/dev/shm") ? Directory.GetFileSystemEntries("/dev/shm", Prefix + "*") : [];

    public void Dispose()
    {
        foreach (Child c in _children)
        {
            c.Dispose();
        }

        string[] left = Leftovers();
        foreach (string path in left)
        {
            File.Delete(path);
        }

        Assert.True(left.Length == 0, "Test left regions behind in /dev/shm: " + string.Join(", ", left));
    }
}
