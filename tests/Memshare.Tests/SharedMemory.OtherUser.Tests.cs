using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests;

/// <summary>
/// Regions and another user (uid 65534, "nobody", via setpriv): by default neither side may use the other's
/// region. The tests run as root, which bypasses file modes, so the owner check is what protects root, and
/// the file mode is what protects root's regions from nobody.
/// </summary>
public sealed class SharedMemoryOtherUserTests : IDisposable
{
    private const string Nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups";
    private const int NobodyUid = 65534;

    private readonly ShmScope _scope = new();

    [Fact]
    public void Prerequisite_TestsRunAsRootAndNobodyCanRunTheChild()
    {
        // The assertions below mean something only in this setting; fail loudly rather than skip.
        Assert.Equal("0", Shm.Run("id", "-u").Trim());
        Peer p = Peer.StartAs(_scope, Nobody);
        Assert.StartsWith("old ", p.Do("umask 27"), StringComparison.Ordinal);
        p.Expect("umask 27", "old 27"); // the peer really runs and answers
        p.Exit();
    }

    [Fact]
    public void OpenExisting_RegionOfOtherUser_RefusedNamingUidUnlessAllowOtherOwner()
    {
        string name = _scope.Name();
        try
        {
            Peer owner = Peer.StartAs(_scope, Nobody);
            owner.Expect($"create-new {name} 4096 persistent init=31", "created");
            Assert.Equal(NobodyUid, Shm.Owner(name));
            Assert.Equal(Convert.ToInt32("600", 8), Shm.Mode(name));

            var e = Assert.Throws<UnauthorizedAccessException>(() => SharedMemory.OpenExisting(name));
            Assert.Contains($"Region '{name}' is owned by uid {NobodyUid}, not by you (uid 0)", e.Message, StringComparison.Ordinal);
            Assert.Contains("AllowOtherOwner", e.Message, StringComparison.Ordinal);
            Assert.Throws<UnauthorizedAccessException>(() => SharedMemory.TryOpenExisting(name, out _));
            Assert.Throws<UnauthorizedAccessException>(() => SharedMemory.CreateOrOpen(name, 4096, out _));

            using (SharedMemory region = SharedMemory.OpenExisting(name, new SharedMemoryOptions { AllowOtherOwner = true }))
            {
                Assert.Equal(-1, Patterns.FindMismatch(region.ReadOnlySpan, 31));
                region.Span[0] = 0x77;
            }

            owner.Expect("read-hex 0 1", "hex 77");
            owner.Exit();
            Assert.True(Shm.Exists(name));
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void CreateOrOpen_NameSquattedByOtherUserScopedRegion_Refused()
    {
        string name = _scope.Name();
        Peer squatter = Peer.StartAs(_scope, Nobody);
        squatter.Expect($"create-new {name} 4096", "created");
        Assert.Equal(0x200 | Convert.ToInt32("600", 8), Shm.Mode(name)); // a non-root creator gets the sticky marker too

        var e = Assert.Throws<UnauthorizedAccessException>(() => SharedMemory.CreateOrOpen(name, 4096, out _));
        Assert.Contains($"uid {NobodyUid}", e.Message, StringComparison.Ordinal);
        Assert.Throws<UnauthorizedAccessException>(() => SharedString.CreateOrOpen(name, 16, out _));

        squatter.Exit();
        Assert.False(Shm.Exists(name)); // the squatter's own last close removed it
    }

    [Fact]
    public void OpenExisting_AsOtherUser_DefaultPermissionsDenyEvenWithAllowOtherOwner()
    {
        string name = _scope.Name();
        string text = _scope.Name("s");
        using SharedMemory region = SharedMemory.CreateNew(name, 4096);
        using SharedString slot = SharedString.CreateNew(text, 16);
        Peer p = Peer.StartAs(_scope, Nobody);

        (string t1, string m1) = p.ExpectError($"open {name} allow-other");
        (string t2, _) = p.ExpectError($"open {name} ro allow-other");
        (string t3, _) = p.ExpectError($"open {name}");
        (string t4, _) = p.ExpectError($"create-or-open {name} 4096 allow-other");
        (string t5, _) = p.ExpectError($"string-open {text} ro");

        Assert.All(new[] { t1, t2, t3, t4, t5 }, t => Assert.Equal(nameof(UnauthorizedAccessException), t));
        Assert.Contains($"Access to region '{name}' was denied", m1, StringComparison.Ordinal);
        p.Exit();
        Assert.True(Shm.Exists(name));
    }

    [Fact]
    public void OpenExisting_AsOtherUser_WidePermissionsAllowWithAllowOtherOwnerOnly()
    {
        string name = _scope.Name();
        using SharedMemory region = SharedMemory.CreateNew(name, 4096, options: new SharedMemoryOptions
        {
            Permissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite,
        });
        Patterns.Fill(region.Span, 41);
        Peer p = Peer.StartAs(_scope, Nobody);

        (string type, string message) = p.ExpectError($"open {name}");
        Assert.Equal(nameof(UnauthorizedAccessException), type);
        Assert.Contains($"owned by uid 0, not by you (uid {NobodyUid})", message, StringComparison.Ordinal);

        p.Expect($"open {name} allow-other", "opened");
        p.Expect("check 41", "ok");
        p.Expect("write-hex 0 ABCD", "ok");
        Assert.Equal(new byte[] { 0xAB, 0xCD }, region.ReadOnlySpan[..2].ToArray());
        p.Exit();
    }

    public void Dispose() => _scope.Dispose();
}
