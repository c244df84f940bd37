using Memshare.Tests.Cli;
using Memshare.Tests.Infrastructure;
using Memshare.Tests.Peers;

namespace Memshare.Tests.Aot;

/// <summary>
/// The seed's DLL written in C# (samples/SharedMemDll): libsharedmem.so published with NativeAOT, the seed's parent
/// and child programs built with gcc against it, run as separate processes; and the same string seen by .NET,
/// the memshare CLI, the C peer and the Python peer.
/// </summary>
[Collection("NativeAot")]
public sealed class SharedMemDllTests : IDisposable
{
    private const string Expected = "Child process read from shared memory: This is a test string";

    private static readonly Lazy<(string Parent, string Child, string Status)> s_programs = new(() =>
    {
        string library = AotPublish.Publish("samples/SharedMemDll", "libsharedmem.so");
        string dir = Path.GetDirectoryName(library)!;
        string source = Path.Combine(NativeBuild.RepoRoot, "samples", "SharedMemDll");
        string Build(string program, string file) => NativeBuild.Compile("gcc", "gcc", program,
            ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-I", source, Path.Combine(source, file), "-L", dir, "-lsharedmem", "-Wl,-rpath," + dir]);
        return (Build("sharedmem-parent", "parent.c"), Build("sharedmem-child", "child.c"), Build("sharedmem-status", "tests/status.c"));
    });

    private readonly ShmScope _scope = new();

    public void Dispose() => _scope.Dispose();

    /// <summary>Runs a program with SHAREDMEM_NAME set (through env(1)), to completion.</summary>
    private static (int Exit, List<string> Lines, string Stderr) Run(string name, string program, params string[] args) =>
        Child.Run("env", [$"SHAREDMEM_NAME={name}", program, .. args]);

    [Fact]
    public void ParentAndChild_SeedScenario_ChildPrintsTheStringAndTheSlotGoesWithThem()
    {
        string name = _scope.Name("seed");
        (string parent, string child, _) = s_programs.Value;

        var run = Run(name, parent, child);

        Assert.True(run.Exit == 0, $"parent exit {run.Exit}: {run.Stderr}");
        Assert.Equal([Expected], run.Lines);
        Assert.False(Shm.Exists(name), "the scoped slot outlived both processes");
    }

    [Fact]
    public void ParentHolding_DotnetCliCPeerAndPythonPeer_ReadTheSameString_AndTheChildReadsDotnetsWrite()
    {
        string name = _scope.Name("all");
        (string parent, string child, _) = s_programs.Value;
        Child holder = _scope.Track(Child.Program("env", $"SHAREDMEM_NAME={name}", parent, child, "--hold"));
        Assert.Equal(Expected, holder.ReadLine(TimeSpan.FromSeconds(60)));
        Assert.Equal("holding", holder.ReadLine());

        using (SharedString slot = SharedString.OpenExisting(name))
        {
            Assert.Equal("This is a test string", slot.Get());
            Assert.Equal(4096, slot.Capacity);
        }

        Assert.Equal(["This is a test string"], CliRun.Run("get", name).AssertExit(0).Stdout);
        var c = Child.Run(NativeBuild.CCli, "get", name);
        Assert.True(c.Exit == 0, c.Stderr);
        Assert.Equal(["This is a test string"], c.Lines);
        Assert.Equal(["This is a test string"], PythonProcess.RunCli(null, "get", name).AssertExit(0).Lines);

        using (SharedString slot = SharedString.OpenExisting(name))
        {
            slot.Set("written by .NET: ünïcødé 😀");
            var reread = Run(name, child);
            Assert.True(reread.Exit == 0, reread.Stderr);
            Assert.Equal(["Child process read from shared memory: written by .NET: ünïcødé 😀"], reread.Lines);
        }

        holder.CloseInput();
        Assert.Equal(0, holder.WaitForExit());
        Assert.False(Shm.Exists(name), "the scoped slot outlived its holders");
    }

    [Fact]
    public void Statuses_TooLongSmallBufferAndBadText_ReportedNeverTruncated()
    {
        string name = _scope.Name("status");
        var run = Run(name, s_programs.Value.Status);

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal(
        [
            "set-utf8 0",
            "too-long 1",
            $"too-long-message The text takes 4097 bytes of UTF-8 but string slot '{name}' holds at most 4096; nothing was stored.",
            "small-utf8 2 6 []",
            "exact-utf8 0 6 [héllo]",
            "small-utf16 2 5 0",
            "exact-utf16 0 5 233",
            "length-only 2 5",
            "bad-utf16 3",
            "bad-utf8 3",
            "null 3",
            "unchanged 0 [héllo]",
        ], run.Lines);
    }
}
