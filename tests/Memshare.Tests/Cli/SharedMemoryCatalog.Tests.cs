using System.Diagnostics;
using System.Text.Json;
using Memshare.Inspection;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>The inspection API behind `ls` and `info`, in-process: what it decodes, and what it refuses to touch.</summary>
public sealed class SharedMemoryCatalogTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void Get_ScopedRawRegionOpenedTwice_CountsTwoHolders()
    {
        string name = _scope.Name("two");
        using SharedMemory first = SharedMemory.CreateNew(name, 100);
        using (SharedMemory second = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly))
        {
            SharedMemoryInfo? info = SharedMemoryCatalog.GetInfo(name);

            Assert.NotNull(info);
            Assert.Equal(name, info.Name);
            Assert.Equal(CliRun.PathOf(name), info.Path);
            Assert.Equal(100, info.Size);
            Assert.Equal(RegionFormat.Raw, info.Format);
            Assert.Null(info.Header);
            Assert.False(info.IsPersistent);
            Assert.Equal(2, info.Holders);
            Assert.False(info.IsStale);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, info.Permissions);
            Assert.Equal(Interop.Libc.GetEUid(), info.OwnerId);
            Assert.Equal(Environment.UserName, info.Owner);
        }

        Assert.Equal(1, SharedMemoryCatalog.GetInfo(name)!.Holders);
    }

    [Fact]
    public void GetInfo_WellFormedRegions_ReportNoProblems()
    {
        string value = _scope.Name("okv");
        string text = _scope.Name("oks");
        using SharedValue<long> v = SharedValue<long>.CreateNew(value, 7);
        using SharedString s = SharedString.CreateNew(text, capacity: 10);

        Assert.Empty(SharedMemoryCatalog.GetInfo(value)!.Header!.Problems);
        Assert.Empty(SharedMemoryCatalog.GetInfo(text)!.Header!.Problems);
        Assert.Equal(RegionFormat.SharedValue, SharedMemoryCatalog.GetInfo(value)!.Header!.Kind);
    }

    [Fact]
    public void GetInfo_CorruptValueHeader_ListsEveryProblem_OpenThrowsTheFirst()
    {
        string name = _scope.Name("bad");
        using SharedValue<long> value = SharedValue<long>.CreateNew(name, 7);
        using (Microsoft.Win32.SafeHandles.SafeFileHandle file = File.OpenHandle(CliRun.PathOf(name), FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.Write(file, BitConverter.GetBytes(1L << 20), 16); // TotalSize: more than the file has
            RandomAccess.Write(file, BitConverter.GetBytes(65), 36); // SlotStride: not a multiple of 64
        }

        IReadOnlyList<string> problems = SharedMemoryCatalog.GetInfo(name)!.Header!.Problems;

        Assert.Equal(2, problems.Count);
        Assert.Contains("is damaged: its backing file has", problems[0], StringComparison.Ordinal);
        Assert.Contains("slot stride 65", problems[1], StringComparison.Ordinal);
        RegionFormatException e = Assert.Throws<RegionFormatException>(() => SharedValue<long>.OpenExisting(name));
        Assert.Equal(problems[0], e.Message);
    }

    [Fact]
    public void Get_String_DecodesHeaderAndCurrentLength()
    {
        string name = _scope.Name("str");
        using SharedString slot = SharedString.CreateNew(name, capacity: 40);
        slot.Set("abc");
        slot.Set("hello");

        SharedMemoryInfo info = SharedMemoryCatalog.GetInfo(name)!;

        Assert.Equal(RegionFormat.SharedString, info.Format);
        SharedMemoryHeaderInfo h = info.Header!;
        Assert.Equal(1, h.LayoutVersion);
        Assert.Equal(2, h.KindCode);
        Assert.Equal(40, h.PayloadSize);
        Assert.Equal(info.Size, h.TotalSize);
        Assert.Equal(5, h.Length);
        Assert.Equal(2, h.Version);
        Assert.Null(h.TypeName);
    }

    [Fact]
    public void Get_Value_DecodesTypeNameAndVersion()
    {
        string name = _scope.Name("val");
        using var value = SharedValue<Guid>.CreateNew(name, Guid.NewGuid());
        value.Write(Guid.NewGuid());

        SharedMemoryInfo info = SharedMemoryCatalog.GetInfo(name)!;

        Assert.Equal(RegionFormat.SharedValue, info.Format);
        Assert.Equal("Guid", info.Header!.TypeName);
        Assert.Equal(16, info.Header.PayloadSize);
        Assert.Equal(TypeFingerprint.Of<Guid>(), info.Header.Fingerprint);
        Assert.Equal(1, info.Header.Version);
        Assert.Null(info.Header.Length);
    }

    [Fact]
    public void Get_FileFromAnotherProgram_IsRawAndPersistent_AndAShortHeaderIsHarmless()
    {
        string foreign = _scope.Name("foreign");
        string cut = _scope.Name("cut");
        try
        {
            File.WriteAllBytes(CliRun.PathOf(foreign), "MEMSHAR"u8.ToArray()); // too short to be a header
            using (SharedString slot = SharedString.CreateNew(cut, 16, new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent }))
            {
            }

            byte[] header = File.ReadAllBytes(CliRun.PathOf(cut))[..64];
            File.Delete(CliRun.PathOf(cut));
            File.WriteAllBytes(CliRun.PathOf(cut), header); // a string header whose slots are gone

            SharedMemoryInfo f = SharedMemoryCatalog.GetInfo(foreign)!;
            Assert.Equal(RegionFormat.Raw, f.Format);
            Assert.True(f.IsPersistent);
            Assert.Equal(0, f.Holders);
            Assert.False(f.IsStale);

            SharedMemoryInfo c = SharedMemoryCatalog.GetInfo(cut)!;
            Assert.Equal(RegionFormat.SharedString, c.Format);
            Assert.Equal(64, c.Size);
            Assert.True(c.Header!.TotalSize > c.Size);
            Assert.Null(c.Header.Length);
        }
        finally
        {
            File.Delete(CliRun.PathOf(foreign));
            File.Delete(CliRun.PathOf(cut));
        }
    }

    [Fact]
    public void Get_Lock_DecodesOwnerWaitersAndRecoveries()
    {
        string name = _scope.Name("lock");
        using var sharedLock = SharedLock.CreateOrOpen(name);

        SharedLockInfo free = SharedMemoryCatalog.GetInfo(name)!.Header!.Lock!;
        Assert.Null(free.OwnerProcessId);
        Assert.Null(free.IsOwnerAlive);
        Assert.Equal(0, free.Waiters);
        Assert.Equal(0, free.Recoveries);
        Assert.Null(SharedMemoryCatalog.GetInfo(name)!.Header!.Event);

        using (sharedLock.Acquire())
        {
            SharedMemoryInfo info = SharedMemoryCatalog.GetInfo(name)!;
            Assert.Equal(RegionFormat.Lock, info.Format);
            Assert.Equal(Environment.ProcessId, info.Header!.Lock!.OwnerProcessId);
            Assert.True(info.Header.Lock.IsOwnerAlive);
        }

        Assert.Null(SharedMemoryCatalog.GetInfo(name)!.Header!.Lock!.OwnerProcessId);
    }

    [Fact]
    public void Get_Event_DecodesModeStateAndWaiters()
    {
        string auto = _scope.Name("auto");
        string manual = _scope.Name("manual");
        using var autoEvent = SharedEvent.CreateOrOpen(auto, EventResetMode.AutoReset);
        using var manualEvent = SharedEvent.CreateOrOpen(manual, EventResetMode.ManualReset);
        manualEvent.Set();

        SharedEventInfo a = SharedMemoryCatalog.GetInfo(auto)!.Header!.Event!;
        SharedEventInfo m = SharedMemoryCatalog.GetInfo(manual)!.Header!.Event!;

        Assert.Equal(RegionFormat.Event, SharedMemoryCatalog.GetInfo(auto)!.Format);
        Assert.Equal(EventResetMode.AutoReset, a.Mode);
        Assert.False(a.IsSet);
        Assert.Equal(EventResetMode.ManualReset, m.Mode);
        Assert.True(m.IsSet);
        Assert.Equal(0, m.Waiters);
        Assert.Null(SharedMemoryCatalog.GetInfo(auto)!.Header!.Lock);
        autoEvent.Set();
        Assert.True(SharedMemoryCatalog.GetInfo(auto)!.Header!.Event!.IsSet); // reading consumed nothing
        Assert.True(SharedMemoryCatalog.GetInfo(auto)!.Header!.Event!.IsSet);
    }

    [Fact]
    public void Get_LockOrEventCutShort_HasAHeaderButNoState()
    {
        string lockName = _scope.Name("cutlock");
        string eventName = _scope.Name("cutevent");
        try
        {
            var persistent = new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent };
            using (SharedLock.CreateOrOpen(lockName, persistent))
            using (SharedEvent.CreateOrOpen(eventName, out _, EventResetMode.ManualReset, initialState: true, persistent))
            {
            }

            foreach (string name in new[] { lockName, eventName })
            {
                byte[] bytes = File.ReadAllBytes(CliRun.PathOf(name))[..80]; // the header and a few bytes of the state
                File.Delete(CliRun.PathOf(name));
                File.WriteAllBytes(CliRun.PathOf(name), bytes);
            }

            SharedMemoryInfo l = SharedMemoryCatalog.GetInfo(lockName)!;
            SharedMemoryInfo e = SharedMemoryCatalog.GetInfo(eventName)!;
            Assert.Equal(RegionFormat.Lock, l.Format);
            Assert.Null(l.Header!.Lock);
            Assert.Equal(RegionFormat.Event, e.Format);
            Assert.Null(e.Header!.Event);
            Assert.Contains(CliRun.Run("info", lockName).AssertExit(0).Stdout, line => line.StartsWith("damaged:", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(CliRun.PathOf(lockName));
            File.Delete(CliRun.PathOf(eventName));
        }
    }

    [Fact]
    public void Get_Channel_DecodesConfigWriterReadersAndFill()
    {
        string name = _scope.Name("chan");
        using SharedChannel channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions
        {
            Capacity = 8192,
            Mode = ChannelMode.Broadcast,
            MaxReaders = 4,
            Overflow = ChannelOverflow.Overrun,
        });
        using SharedChannelReader reader = channel.CreateReader(2);
        using SharedChannelWriter writer = channel.CreateWriter();
        writer.Write(new byte[100]); // a record of 16 + 100 bytes, padded to 128
        writer.Write(new byte[10]); // 32

        SharedMemoryInfo info = SharedMemoryCatalog.GetInfo(name)!;

        Assert.Equal(RegionFormat.Channel, info.Format);
        SharedChannelInfo c = info.Header!.Channel!;
        Assert.Null(c.Damage);
        Assert.Equal(ChannelMode.Broadcast, c.Mode);
        Assert.Equal(ChannelOverflow.Overrun, c.Overflow);
        Assert.Equal(8192, c.Capacity);
        Assert.Equal(channel.MaxMessageLength, c.MaxMessageLength);
        Assert.Equal(4, c.MaxReaders);
        Assert.Equal(160, c.WriterPosition);
        Assert.Equal(2, c.MessagesWritten);
        Assert.False(c.IsCompleted);
        Assert.Equal(Environment.ProcessId, c.WriterProcessId);
        Assert.True(c.IsWriterAlive);
        Assert.Equal(0, c.WriterRecoveries);
        SharedChannelReaderInfo r = Assert.Single(c.Readers); // indexes 0, 1 and 3 were never attached
        Assert.Equal(2, r.Index);
        Assert.Equal(0, r.Position);
        Assert.Equal(160, r.Lag);
        Assert.Equal(0, r.LostMessages);
        Assert.True(r.IsAttached);
        Assert.Equal(Environment.ProcessId, r.OwnerProcessId);
        Assert.True(r.IsOwnerAlive);
        Assert.Equal(160, c.UsedBytes);
        Assert.Equal(160.0 / 8192, c.FillLevel);

        Assert.True(reader.TryRead(new byte[channel.MaxMessageLength], out _));
        writer.Complete();
        SharedChannelInfo after = SharedMemoryCatalog.GetInfo(name)!.Header!.Channel!;
        Assert.Equal(32, after.Readers[0].Lag);
        Assert.True(after.IsCompleted);
    }

    [Fact]
    public void Get_ChannelWithGarbageFields_ReportsWhatIsDamaged_AndNothingCrashes()
    {
        string name = _scope.Name("badchan");
        string cut = _scope.Name("cutchan");
        try
        {
            var small = new SharedChannelOptions { Capacity = 4096 };
            var persistent = new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent };
            using (SharedChannel.CreateOrOpen(name, small, persistent))
            using (SharedChannel.CreateOrOpen(cut, small, persistent))
            {
            }

            using (var file = new FileStream(CliRun.PathOf(name), FileMode.Open, FileAccess.Write))
            {
                Poke(file, 64, BitConverter.GetBytes(7)); // mode
                Poke(file, 256, BitConverter.GetBytes(13L)); // writer position, not a multiple of 16
                Poke(file, 264, BitConverter.GetBytes(-5L)); // messages
                Poke(file, 384, BitConverter.GetBytes(0x0000_0001_FFFF_FFFFUL)); // writer role: an owner token with pid -1
                Poke(file, 768, BitConverter.GetBytes(-32L)); // reader 0's position
            }

            byte[] bytes = File.ReadAllBytes(CliRun.PathOf(cut))[..300]; // the header and part of the control block
            File.Delete(CliRun.PathOf(cut));
            File.WriteAllBytes(CliRun.PathOf(cut), bytes);

            SharedChannelInfo c = SharedMemoryCatalog.GetInfo(name)!.Header!.Channel!;
            Assert.Null(c.Mode);
            Assert.Contains("the mode field holds 7", c.Damage, StringComparison.Ordinal);
            Assert.Contains("the writer position 13 is not a multiple of 16", c.Damage, StringComparison.Ordinal);
            Assert.Contains("-5 messages cannot have been written", c.Damage, StringComparison.Ordinal);
            Assert.Contains("reader 0's position -32", c.Damage, StringComparison.Ordinal);
            Assert.Contains("the writer role is marked as held by process -1, which cannot exist", c.Damage, StringComparison.Ordinal);
            Assert.False(c.IsWriterAlive);
            Assert.Contains(CliRun.Run("info", name).AssertExit(0).Stdout, l => l.StartsWith("damaged:", StringComparison.Ordinal) && l.Contains("mode field holds 7", StringComparison.Ordinal));
            JsonElement json = CliRun.Run("info", name, "--json").AssertExit(0).Json().GetProperty("header").GetProperty("channel");
            Assert.Equal(JsonValueKind.Null, json.GetProperty("mode").ValueKind);
            Assert.Contains("mode field holds 7", json.GetProperty("damaged").GetString(), StringComparison.Ordinal);
            Assert.Equal("damaged", CliRun.Run("ls").AssertExit(0).Stdout.Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split("  ")[^1]);
            CliRun.Run("recv", name, "--timeout", "0").AssertError(1, $"'{name}'"); // the library refuses it too

            SharedMemoryInfo shortened = SharedMemoryCatalog.GetInfo(cut)!;
            Assert.Equal(RegionFormat.Channel, shortened.Format);
            Assert.Null(shortened.Header!.Channel);
            Assert.Contains(CliRun.Run("info", cut).AssertExit(0).Stdout, l => l.StartsWith("damaged:", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(CliRun.PathOf(name));
            File.Delete(CliRun.PathOf(cut));
        }
    }

    [Fact]
    public void Get_Missing_ReturnsNull_AndInvalidNameThrows()
    {
        Assert.Null(SharedMemoryCatalog.GetInfo(_scope.Name("none")));
        Assert.Throws<ArgumentException>(() => SharedMemoryCatalog.GetInfo("a/b"));
    }

    [Fact]
    public async Task List_SkipsSymlinksFifosDirectoriesHiddenAndInvalidNames_WithoutBlocking()
    {
        string link = CliRun.PathOf(_scope.Name("link"));
        string fifo = CliRun.PathOf(_scope.Name("fifo"));
        string dir = CliRun.PathOf(_scope.Name("dir"));
        string hidden = CliRun.PathOf("." + _scope.Name("hidden"));
        string invalid = CliRun.PathOf(_scope.Name("in valid"));
        string region = _scope.Name("real");
        try
        {
            File.CreateSymbolicLink(link, "/etc/passwd");
            MakeFifo(fifo);
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(hidden, [1]);
            File.WriteAllBytes(invalid, [1]);
            using SharedMemory real = SharedMemory.CreateNew(region, 8);

            // A FIFO opened for reading would block until a writer comes; the catalog must never do that.
            IReadOnlyList<SharedMemoryInfo> all = await Task.Run(SharedMemoryCatalog.List).WaitAsync(TimeSpan.FromSeconds(20));

            string[] mine = all.Select(r => r.Name).Where(n => n.Contains(_scope.Prefix, StringComparison.Ordinal)).ToArray();
            Assert.Equal([region], mine);
            Assert.Throws<UnauthorizedAccessException>(() => SharedMemoryCatalog.GetInfo(_scope.Name("link")));
            Assert.Throws<IOException>(() => SharedMemoryCatalog.GetInfo(_scope.Name("fifo")));
            Assert.Throws<IOException>(() => SharedMemoryCatalog.GetInfo(_scope.Name("dir")));
        }
        finally
        {
            File.Delete(link);
            File.Delete(fifo);
            File.Delete(hidden);
            File.Delete(invalid);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir);
            }
        }
    }

    [Theory]
    [InlineData("1: FLOCK  ADVISORY  READ 5964 00:1b:314933 0 EOF", true, 0u, 0x1bu, 314933ul)]
    [InlineData("2: FLOCK  ADVISORY  WRITE 77 fd:01:12 0 EOF", true, 0xfdu, 1u, 12ul)]
    [InlineData("3: -> FLOCK  ADVISORY  WRITE 78 00:1b:314933 0 EOF", false, 0u, 0u, 0ul)] // waiting, not holding
    [InlineData("4: POSIX  ADVISORY  WRITE 79 00:1b:314933 0 EOF", false, 0u, 0u, 0ul)]
    [InlineData("5: OFDLCK ADVISORY  READ  -1 00:1b:314933 0 EOF", false, 0u, 0u, 0ul)]
    [InlineData("garbage", false, 0u, 0u, 0ul)]
    [InlineData("6: FLOCK  ADVISORY  READ 80 00:zz:1 0 EOF", false, 0u, 0u, 0ul)]
    public void ProcLocks_ParsesOnlyGrantedFlockEntries(string line, bool expected, uint major, uint minor, ulong inode)
    {
        Assert.Equal(expected, ProcLocks.TryParseFlock(line, out FileId id));
        if (expected)
        {
            Assert.Equal(new FileId(major, minor, inode), id);
        }
    }

    private static void Poke(FileStream file, long offset, byte[] bytes)
    {
        file.Position = offset;
        file.Write(bytes);
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    public void Dispose() => _scope.Dispose();
}
