using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>`memshare demo`: the parent writes a string, a separate child process reads it by name, nothing is left.</summary>
public sealed class CliDemoTests : IDisposable
{
    private const string ChildLine = "Child process read from shared memory: This is a test string";

    private readonly ShmScope _scope = new();

    [Fact]
    public void Demo_ChildProcessReadsTheString_AndNoRegionRemains()
    {
        using Child demo = _scope.Track(Child.Cli("demo"));
        List<string> lines = demo.RemainingLines();
        int exit = demo.WaitForExit();
        string name = $"memshare-demo-{demo.Pid}";

        Assert.True(exit == 0, $"demo exited with {exit}; stdout: {string.Join(" | ", lines)}; stderr: {demo.Stderr}");
        int parentWrote = lines.FindIndex(l => l.StartsWith("Parent wrote", StringComparison.Ordinal) && l.Contains($"'{name}'", StringComparison.Ordinal));
        int childRead = lines.IndexOf(ChildLine);
        int removed = lines.IndexOf($"Region '{name}' removed with its last holder.");
        Assert.True(parentWrote >= 0, "no 'Parent wrote' line naming " + name + ": " + string.Join(" | ", lines));
        Assert.True(childRead > parentWrote, "the child's line is missing or out of order: " + string.Join(" | ", lines));
        Assert.True(removed > childRead, "no removal line after the child's: " + string.Join(" | ", lines));
        Assert.Empty(demo.Stderr);
        bool left = File.Exists(CliRun.PathOf(name));
        if (left)
        {
            File.Delete(CliRun.PathOf(name)); // outside the scope's prefix, so clean up here
        }

        Assert.False(left, $"{name} is still in /dev/shm");
    }

    [Fact]
    public void DemoChild_WithoutTheRegion_ExitsThree()
    {
        string name = _scope.Name("absent");

        CliRun.Run("demo-child", name).AssertError(3, $"'{name}'");
    }

    public void Dispose() => _scope.Dispose();
}
