namespace Memshare.Conformance.Infrastructure;

/// <summary>
/// Gives a test unique region names, kills the children it tracks, and checks through the public API alone that
/// the test left none of its regions behind: a name that <c>SharedMemory.TryOpenExisting</c>
/// still opens once every child is gone is removed (so a failing test still cleans up) and reported as a failure.
/// Create one per test (in the test class's constructor) and dispose it in the class's Dispose.
/// </summary>
public sealed class RegionScope : IDisposable
{
    private readonly List<Child> _children = [];
    private readonly HashSet<string> _names = [];

    public RegionScope()
    {
        // Short: macOS allows 30 characters in a name; tags add a few.
        Prefix = "mc" + Guid.NewGuid().ToString("N")[..10];
    }

    /// <summary>The prefix every name from this scope starts with.</summary>
    public string Prefix { get; }

    /// <summary>A unique region name for this test; it is checked for leftovers when the scope ends.</summary>
    public string Name(string tag = "r")
    {
        string name = $"{Prefix}-{tag}";
        lock (_names)
        {
            _names.Add(name);
        }

        return name;
    }

    /// <summary>Tracks a child so it is killed when the scope ends, even if the test failed.</summary>
    public Child Track(Child child)
    {
        lock (_children)
        {
            _children.Add(child);
        }

        return child;
    }

    /// <summary>Whether a region by that name can be opened now. Opening makes this process a holder for a moment.</summary>
    public static bool Exists(string name)
    {
        if (!SharedMemory.TryOpenExisting(name, out SharedMemory? region))
        {
            return false;
        }

        region.Dispose();
        return true;
    }

    /// <summary>This scope's names that can be opened now (see <see cref="Exists"/>).</summary>
    public string[] Leftovers()
    {
        lock (_names)
        {
            return [.. _names.Where(Exists)];
        }
    }

    public void Dispose()
    {
        foreach (Child c in _children)
        {
            c.Dispose();
        }

        var left = new List<string>();
        foreach (string name in _names)
        {
            if (Exists(name))
            {
                left.Add(name);
                SharedMemory.Remove(name);
            }
        }

        Assert.True(left.Count == 0, "Test left regions behind: " + string.Join(", ", left));
    }
}

/// <summary>Tests whose peers spin run alone: the box has two cores.</summary>
[CollectionDefinition("Spinning", DisableParallelization = true)]
public sealed class SpinningCollectionDefinition
{
}
