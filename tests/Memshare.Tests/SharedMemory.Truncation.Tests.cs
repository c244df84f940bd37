using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests;

/// <summary>
/// A backing file shorter than its region must be refused at open, never mapped and touched (that would be a
/// SIGBUS, which .NET cannot catch). The opening happens in a peer, so a crash shows as a failed test rather
/// than a dead test host.
/// </summary>
public sealed class SharedMemoryTruncationTests : IDisposable
{
    private static readonly SharedMemoryOptions Persistent = new() { Lifetime = SharedMemoryLifetime.Persistent };

    private readonly ShmScope _scope = new();

    [Theory]
    [InlineData(256)] // cuts into slot 1
    [InlineData(130)] // just past the snapshot header
    [InlineData(64)]  // exactly the common header
    public void SharedStringOpen_BackingFileTruncated_RefusedAsTruncated(int keep)
    {
        string name = _scope.Name();
        try
        {
            using (SharedString slot = SharedString.CreateNew(name, 1000, Persistent))
            {
                slot.Set("soon to be truncated");
            }

            Truncate(name, keep);
            (string type, string message) = OpenInPeer($"string-open {name}");

            Assert.Equal(nameof(RegionFormatException), type);
            Assert.Contains($"Region '{name}' is damaged: its backing file has {keep} bytes but its header says 2176", message, StringComparison.Ordinal);
            Assert.Contains("truncated", message, StringComparison.Ordinal);
            var e = Assert.Throws<RegionFormatException>(() => SharedString.OpenExisting(name));
            Assert.Equal(name, e.RegionName);
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void SharedValueOpen_BackingFileTruncated_RefusedAsTruncated()
    {
        string name = _scope.Name();
        try
        {
            using (SharedValue<Octet>.CreateNew(name, Octet.Of(8), Persistent))
            {
            }

            Truncate(name, 200);
            (string type, string message) = OpenInPeer($"value-open {name}");

            Assert.Equal(nameof(RegionFormatException), type);
            Assert.Contains("its backing file has 200 bytes but its header says 320", message, StringComparison.Ordinal);
            Assert.Throws<RegionFormatException>(() => SharedValue<Octet>.CreateOrOpen(name, out _));
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void SharedStringOpen_TruncatedBelowHeader_Refused()
    {
        string name = _scope.Name();
        try
        {
            using (SharedString.CreateNew(name, 100, Persistent))
            {
            }

            Truncate(name, 10);
            (string type, string message) = OpenInPeer($"string-open {name}");

            Assert.Equal(nameof(RegionFormatException), type);
            Assert.Contains($"Region '{name}' has 10 bytes, too few for a Memshare SharedString header", message, StringComparison.Ordinal);
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void CreateOrOpen_ExistingRawRegionSmallerThanRequested_RefusedAsTooSmall()
    {
        string name = _scope.Name();
        try
        {
            using (SharedMemory.CreateNew(name, 4096, options: Persistent))
            {
            }

            (string type, string message) = OpenInPeer($"create-or-open {name} 8192");

            Assert.Equal(nameof(RegionFormatException), type);
            Assert.Contains($"Region '{name}' holds 4096 bytes but 8192 were requested", message, StringComparison.Ordinal);
            Assert.Throws<RegionFormatException>(() => SharedMemory.CreateOrOpen(name, 4097, out _));
            Assert.Equal(4096, Shm.Length(name)); // neither grown nor replaced
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void OpenExisting_RawRegionTruncatedByOutsider_OpensWithItsCurrentSize()
    {
        // A raw region has no header that records its size: an opener maps what the file holds now.
        string name = _scope.Name();
        try
        {
            using (SharedMemory region = SharedMemory.CreateNew(name, 8192, options: Persistent))
            {
                Patterns.Fill(region.Span, 3);
            }

            Truncate(name, 5000);
            Peer p = Peer.Start(_scope);
            p.Expect($"open {name}", "opened");
            p.Expect("check 3", "ok"); // reads all 5000 bytes without a fault
            p.Exit();
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void Open_ZeroLengthFileAtName_RefusedAsEmpty()
    {
        string name = _scope.Name();
        try
        {
            File.WriteAllBytes(Shm.PathOf(name), []);

            (string type, string message) = OpenInPeer($"open {name}");
            (string type2, _) = OpenInPeer($"create-or-open {name} 64");

            Assert.Equal(nameof(RegionFormatException), type);
            Assert.Equal(nameof(RegionFormatException), type2);
            Assert.Contains($"Region '{name}' is empty (0 bytes)", message, StringComparison.Ordinal);
            Assert.Throws<RegionFormatException>(() => SharedString.OpenExisting(name));
            Assert.Throws<RegionFormatException>(() => SharedValue<Octet>.CreateOrOpen(name, out _));
            Assert.Equal(0, Shm.Length(name));
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    /// <summary>Shrinks the backing file from outside, while nobody has it mapped.</summary>
    private static void Truncate(string name, long length)
    {
        using (var file = new FileStream(Shm.PathOf(name), FileMode.Open, FileAccess.ReadWrite))
        {
            file.SetLength(length);
        }

        Assert.Equal(length, Shm.Length(name));
    }

    /// <summary>Runs an open command in a fresh peer; it must fail with an error reply and the peer must exit cleanly.</summary>
    private (string Type, string Message) OpenInPeer(string command)
    {
        Peer p = Peer.Start(_scope);
        (string Type, string Message) error = p.ExpectError(command);
        p.Exit(); // a SIGBUS or abort would show here as a non-zero exit code
        return error;
    }

    public void Dispose() => _scope.Dispose();
}
