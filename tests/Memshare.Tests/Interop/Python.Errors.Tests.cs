using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Peers;

/// <summary>
/// memshare.py refuses what it cannot use with a specific exception whose message names the region and says what
/// to do (peer.py expect-error prints "Type|message"), and its command line maps them to the memshare exit codes.
/// </summary>
public sealed class PythonErrorsTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void Open_MissingRegion_RegionNotFoundErrorAndExitThree()
    {
        string name = _scope.Name("missing");

        AssertRefused(Expect("string", name), "RegionNotFoundError", name, "does not exist");
        PythonProcess.RunCli(null, "get", name).AssertError(3, $"'{name}' does not exist");
        Assert.False(Shm.Exists(name));
    }

    [Fact]
    public void Open_WrongKind_RegionFormatErrorNamingBothKinds()
    {
        string name = _scope.Name("s");
        using var slot = SharedString.CreateNew(name, 16);

        AssertRefused(Expect("channel", name), "RegionFormatError", name, "holds a Memshare SharedString, not the channel");
        AssertRefused(Expect("value", name), "RegionFormatError", name, "not the SharedValue");
        PythonProcess.RunCli(null, "recv", name).AssertError(1, "not the channel");
    }

    [Fact]
    public void Open_RawRegionAsString_RegionFormatErrorSaysItIsRaw()
    {
        string name = _scope.Name("raw");
        using var raw = SharedMemory.CreateNew(name, 4096);

        AssertRefused(Expect("string", name), "RegionFormatError", name, "raw region");
    }

    [Fact]
    public void Open_RegionOwnedByAnotherUser_PermissionErrorExitFive()
    {
        string name = _scope.Name("raw");
        using var raw = SharedMemory.CreateNew(name, 4096);
        Shm.Run("chown", "65534", Shm.PathOf(name)); // as if another user had created (or squatted) the name

        AssertRefused(Expect("raw", name), "PermissionError", name, "owned by uid 65534");
        PythonProcess.RunCli(null, "get", name).AssertError(5, "allow_other_owner=True");
    }

    [Fact]
    public void Open_CorruptHeader_RegionFormatErrorSaysWhichField()
    {
        string name = _scope.Name("s");
        using var slot = SharedString.CreateNew(name, 16);
        using var raw = SharedMemory.OpenExisting(name);

        raw.AsRef<ulong>(0) ^= 1; // magic
        AssertRefused(Expect("string", name), "RegionFormatError", name, "header magic");
        raw.AsRef<ulong>(0) ^= 1;

        raw.AsRef<ushort>(8) = 9; // version
        AssertRefused(Expect("string", name), "RegionFormatError", name, "layout version 9");
        raw.AsRef<ushort>(8) = 1;

        raw.AsRef<long>(16) += 4096; // total size beyond the file
        AssertRefused(Expect("string", name), "RegionFormatError", name, "is damaged");
        raw.AsRef<long>(16) -= 4096;

        raw.AsRef<int>(128) = 17; // the current slot's length, above the capacity
        Assert.Equal("ok", Expect("string", name)); // the header is sound: the damage shows when reading
        PythonProcess.RunCli(null, "get", name).AssertError(1, "exceeds the capacity 16");
    }

    [Fact]
    public void Set_TooLong_ValueErrorExitTwoAndNothingChanges()
    {
        string name = _scope.Name("s");
        using var slot = SharedString.CreateNew(name, 8);
        slot.Set("short");

        AssertRefused(Expect("set", name, "123456789"), "ValueError", name, "holds at most 8; the slot was not changed");
        PythonProcess.RunCli(null, "set", name, "€€€").AssertError(2, "9 UTF-8 bytes");

        Assert.Equal("short", slot.Get());
        Assert.Equal(1, slot.Version);
    }

    [Fact]
    public void Cli_BadNameOrArguments_ExitTwo()
    {
        PythonProcess.RunCli(null, "get", "a/b").AssertError(2, "'a/b' is not allowed");
        PythonProcess.RunCli(null, "frobnicate").AssertError(2, "invalid choice");
    }

    [Fact]
    public void Recv_NothingArrives_ExitSixDistinctFromCompletion()
    {
        string name = _scope.Name("c");
        using var channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096 });

        PythonProcess.RunCli(null, "recv", name, "--timeout", "0.3").AssertError(6, $"No message arrived on channel '{name}'");

        using (SharedChannelWriter writer = channel.CreateWriter())
        {
            writer.Complete();
        }

        PythonResult done = PythonProcess.RunCli(null, "recv", name, "--timeout", "0.3").AssertExit(0);
        Assert.Empty(done.Stdout);
    }

    [Fact]
    public void Send_LineLongerThanTheLargestMessage_ExitTwoAfterTheLinesBeforeItAndNoCompletion()
    {
        string name = _scope.Name("c");
        using var channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096 });
        using SharedChannelReader reader = channel.CreateReader();
        byte[] input = [.. "first\n"u8, .. Enumerable.Repeat((byte)'x', channel.MaxMessageLength + 1), .. "\nlast\n"u8];

        PythonProcess.RunCli(input, "send", name).AssertError(2, $"larger than channel '{name}' accepts ({channel.MaxMessageLength} bytes");

        byte[] buffer = new byte[channel.MaxMessageLength];
        Assert.True(reader.TryRead(buffer, out int length));
        Assert.Equal("first"u8.ToArray(), buffer[..length]);
        Assert.False(reader.TryRead(buffer, out _));
        Assert.False(channel.IsCompleted); // a cut stream is not marked complete
    }

    [Fact]
    public void Writer_WhileDotNetHoldsTheWriterRole_ChannelBusyErrorNamingTheProcess()
    {
        string name = _scope.Name("c");
        using var channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096 });
        using SharedChannelWriter writer = channel.CreateWriter();

        AssertRefused(Expect("writer", name), "ChannelBusyError", name, $"already has a writer (process {Environment.ProcessId})");
    }

    [Fact]
    public void Open_BroadcastChannel_UnsupportedRegionError()
    {
        string name = _scope.Name("c");
        using var channel = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096, Mode = ChannelMode.Broadcast });

        AssertRefused(Expect("channel", name), "UnsupportedRegionError", name, "broadcast");
    }

    [Fact]
    public void WithoutLibatomic_StringReadsStillWorkAndWritesAreRefusedSayingWhatToInstall()
    {
        string name = _scope.Name("s");
        using var slot = SharedString.CreateNew(name, 16);
        slot.Set("readable");

        using PythonProcess p = PythonProcess.Peer("without-atomics", name);
        PythonResult r = p.Finish().AssertExit(0);

        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
        {
            Assert.Equal("get readable", r.Lines[0]); // x86-64 keeps loads in order: plain loads make a correct reader
        }
        else
        {
            AssertRefused(r.Lines[0], "AtomicsUnavailableError", name, "libatomic1");
        }

        AssertRefused(r.Lines[1], "AtomicsUnavailableError", name, "apt-get install libatomic1");
        Assert.Equal("readable", slot.Get());
        Assert.Equal(1, slot.Version);
    }

    private static string Expect(string kind, string name, params string[] rest)
    {
        using PythonProcess p = PythonProcess.Peer(["expect-error", kind, name, .. rest]);
        PythonResult r = p.Finish().AssertExit(0);
        Assert.Equal("", r.Stderr);
        return Assert.Single(r.Lines);
    }

    private static void AssertRefused(string line, string type, string name, string mentions)
    {
        Assert.StartsWith(type + "|", line, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", line, StringComparison.Ordinal);
        Assert.Contains(mentions, line, StringComparison.Ordinal);
    }

    public void Dispose() => _scope.Dispose();
}
