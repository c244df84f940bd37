using System.Globalization;
using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>
/// Raw regions against Python's own <c>multiprocessing.shared_memory</c> (tests/plain.py, which does not use
/// memshare.py), and against memshare.py's RawRegion. Includes the resource-tracker trap: before Python 3.13 a
/// plain attach registers the segment, and the tracker unlinks it when the Python process exits.
/// </summary>
public sealed class PythonThirdPartyTests : IDisposable
{
    private const int Size = 8192;
    private const int Half = Size / 2;
    private static readonly string SizeText = Size.ToString(CultureInfo.InvariantCulture);

    private readonly ShmScope _scope = new();

    [Fact]
    public void PlainSharedMemory_UntrackedAttachToDotNetRegion_RepliesAndTheRegionSurvivesItsExit()
    {
        string name = _scope.Name("raw");
        using var region = SharedMemory.CreateNew(name, Size);
        Patterns.Fill(region.Span[..Half], seed: 7);

        PythonResult r = Run(PythonProcess.Plain("attach", name, SizeText));

        Assert.Equal($"ok {Size}", Assert.Single(r.Lines));
        Assert.Equal("", r.Stderr); // no "leaked shared_memory objects" warning from the tracker
        Assert.Equal(-1, Patterns.FindMismatch(region.Span[Half..], seed: 9, start: Half));
        Assert.True(Shm.Exists(name), "the Python process's exit removed a region it only attached to");
    }

    [Fact]
    public void MemshareModule_RawRegion_RepliesAndTheRegionSurvivesItsExit()
    {
        string name = _scope.Name("raw");
        using var region = SharedMemory.CreateNew(name, Size);
        Patterns.Fill(region.Span[..Half], seed: 7);

        PythonResult r = Run(PythonProcess.Peer("raw-reply", name, SizeText));

        Assert.Equal($"ok {Size}", Assert.Single(r.Lines));
        Assert.Equal("", r.Stderr);
        Assert.Equal(-1, Patterns.FindMismatch(region.Span[Half..], seed: 9, start: Half));
        Assert.True(Shm.Exists(name));
    }

    [Fact]
    public void PlainSharedMemory_DefaultAttach_ResourceTrackerUnlinksTheRegionWhenPythonExits()
    {
        // The trap memshare.py and plain.py avoid: shown here so that a change in Python's behaviour is noticed.
        string name = _scope.Name("raw");
        using var region = SharedMemory.CreateNew(name, Size);

        PythonResult r = Run(PythonProcess.Plain("attach-tracked", name));

        Assert.Equal($"attached {Size}", Assert.Single(r.Lines));
        Assert.False(Shm.Exists(name), "Python's resource tracker no longer unlinks attached segments: update interop/python/README.md");
        Assert.Contains("leaked shared_memory", r.Stderr, StringComparison.Ordinal);
        region.Span[0] = 1; // our mapping outlives the name
        Assert.Equal(1, region.Span[0]);
    }

    [Fact]
    public void PythonCreatedRegion_DotNetOpensItAsPersistentAndNeverRemovesIt()
    {
        string name = _scope.Name("py");
        using PythonProcess creator = PythonProcess.Plain("create", name, SizeText);
        try
        {
            creator.Expect("ready");
            Assert.Equal(0, Shm.Mode(name) & 0x200); // no sticky bit: not a scoped Memshare region
            using (var region = SharedMemory.OpenExisting(name))
            {
                Assert.True(region.IsPersistent);
                Assert.Equal(Size, region.Size);
                Assert.Equal(-1, Patterns.FindMismatch(region.Span[..Half], seed: 5));
                Patterns.Fill(region.Span[Half..], seed: 11, start: Half);
            }

            Assert.True(Shm.Exists(name), "Memshare removed a region that Python created");
            creator.WriteLine("go");
            Assert.Equal("reply", creator.ReadLine());
            Assert.Equal("unlinked", creator.ReadLine());
            creator.Finish().AssertExit(0);
            Assert.False(Shm.Exists(name));
        }
        finally
        {
            creator.Kill();
            if (Shm.Exists(name))
            {
                Shm.Delete(name); // Python did not get to unlink it
            }
        }
    }

    private static PythonResult Run(PythonProcess p)
    {
        using (p)
        {
            return p.Finish().AssertExit(0);
        }
    }

    public void Dispose() => _scope.Dispose();
}
