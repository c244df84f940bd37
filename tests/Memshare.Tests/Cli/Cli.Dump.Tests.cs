using System.Text;
using System.Text.Json;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>`memshare dump`: the hexdump -C layout, '*' collapsing, windows, errors, and that it changes nothing.</summary>
public sealed class CliDumpTests : IDisposable
{
    private const string Nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups";

    private static readonly SharedMemoryOptions s_persistent = new() { Lifetime = SharedMemoryLifetime.Persistent };

    private readonly ShmScope _scope = new();

    /// <summary>34 known bytes at 0, zeros, "xyz" at 98: 101 bytes in all (what hexdump -C prints is spelled out below).</summary>
    private static void WritePattern(SharedMemory region)
    {
        byte[] start = [.. "hello, world! 0123456789abcdef"u8, 0x00, 0x01, 0x7f, 0xff];
        start.CopyTo(region.Span);
        "xyz"u8.CopyTo(region.Span[98..]);
    }

    [Fact]
    public void Dump_KnownPattern_PrintsHexdumpCLinesWithRepeatsCollapsed()
    {
        string name = _scope.Name("pattern");
        try
        {
            using (SharedMemory region = SharedMemory.CreateNew(name, 101, options: s_persistent))
            {
                WritePattern(region);
            }

            CliResult dump = CliRun.Run("dump", name).AssertExit(0);

            Assert.Equal(
                [
                    "00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 20 30 31  |hello, world! 01|",
                    "00000010  32 33 34 35 36 37 38 39  61 62 63 64 65 66 00 01  |23456789abcdef..|",
                    "00000020  7f ff 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
                    "00000030  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
                    "*",
                    "00000060  00 00 78 79 7a                                    |..xyz|",
                    "00000065",
                ],
                dump.Stdout);
            Assert.Empty(dump.Stderr); // a raw region has no header to note
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Dump_LargeEmptyRegion_CollapsesToThreeLines()
    {
        string name = _scope.Name("empty");
        using SharedMemory region = SharedMemory.CreateNew(name, 16 << 20);

        CliResult dump = CliRun.Run("dump", name).AssertExit(0);

        Assert.Equal(
            ["00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|", "*", "01000000"],
            dump.Stdout);
    }

    [Fact]
    public void Dump_OffsetAndLength_ShowRegionOffsets_InDecimalHexAndUnits()
    {
        string name = _scope.Name("window");
        using SharedMemory region = SharedMemory.CreateNew(name, 8192);
        for (int i = 0; i < region.Span.Length; i++)
        {
            region.Span[i] = (byte)(i % 251); // no two 16-byte lines alike, so nothing collapses
        }

        CliResult hex = CliRun.Run("dump", name, "--offset", "0x5", "--length", "0x14").AssertExit(0);
        Assert.Equal(
            [
                "00000005  05 06 07 08 09 0a 0b 0c  0d 0e 0f 10 11 12 13 14  |................|",
                "00000015  15 16 17 18                                       |....|",
                "00000019",
            ],
            hex.Stdout);
        Assert.Equal(hex.Stdout, CliRun.Run("dump", name, "--offset", "5", "--length", "20").AssertExit(0).Stdout);

        // 4k = 4096 = 0x1000; 4096 % 251 = 80 = 0x50.
        CliResult units = CliRun.Run("dump", name, "--offset", "4k", "--length", "16").AssertExit(0);
        Assert.Equal(["00001000  50 51 52 53 54 55 56 57  58 59 5a 5b 5c 5d 5e 5f  |PQRSTUVWXYZ[\\]^_|", "00001010"], units.Stdout);
        Assert.Equal(units.Stdout, CliRun.Run("dump", name, "--offset", "4KiB", "--length", "0x10").AssertExit(0).Stdout);

        // To the end by default: the last line is the region's size.
        CliResult tail = CliRun.Run("dump", name, "--offset", "0x1ff8").AssertExit(0);
        Assert.Equal(["00001ff8  98 99 9a 9b 9c 9d 9e 9f                           |........|", "00002000"], tail.Stdout);
    }

    [Theory]
    [InlineData("--offset", "8193", "--offset 8193 is past the end of region '{0}' (8192 bytes)")]
    [InlineData("--offset", "0x2001", "--offset 8193 is past the end of region '{0}' (8192 bytes)")]
    [InlineData("--length", "8k", "--length 8192 at offset 4096 would pass the end of region '{0}' (8192 bytes): only 4096 bytes remain there")]
    public void Dump_PastTheEnd_ExitsTwoNamingRegionSizeAndFix(string option, string value, string message)
    {
        string name = _scope.Name("short");
        using SharedMemory region = SharedMemory.CreateNew(name, 8192);
        string[] args = option == "--length" ? ["dump", name, "--offset", "4096", option, value] : ["dump", name, option, value];

        CliResult result = CliRun.Run(args).AssertError(2, string.Format(System.Globalization.CultureInfo.InvariantCulture, message, name));

        Assert.Empty(result.Stdout);
        Assert.Contains(option == "--length" ? "at most 4096" : "from 0 to 8192", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--offset", "-1")]
    [InlineData("--offset", "0x")]
    [InlineData("--length", "12q")]
    [InlineData("--length", "1.5k")]
    public void Dump_BadNumber_ExitsTwoSayingWhatIsAccepted(string option, string value)
    {
        string name = _scope.Name("badnum");
        using SharedMemory region = SharedMemory.CreateNew(name, 64);

        CliRun.Run("dump", name, option, value).AssertError(2, $"{option} '{value}' is not a byte count").AssertError(2, "0x1000");
    }

    [Fact]
    public void Dump_Missing_ExitsThreeNamingRegion()
    {
        string name = _scope.Name("missing");

        CliRun.Run("dump", name).AssertError(3, $"'{name}'");

        Assert.False(Shm.Exists(name));
    }

    [Fact]
    public void Dump_WithoutReadPermission_ExitsFive()
    {
        string name = _scope.Name("private");
        using SharedMemory region = SharedMemory.CreateNew(name, 64); // 0600, owned by root

        CliRun.RunAs(Nobody, "dump", name).AssertError(5, $"'{name}'");
    }

    [Fact]
    public void Dump_FormattedRegion_NotesItsHeaderOnStderr()
    {
        string name = _scope.Name("str");
        using SharedString text = SharedString.CreateNew(name, 32);
        text.Set("dump me");

        CliResult dump = CliRun.Run("dump", name).AssertExit(0);

        Assert.Equal($"memshare: note: '{name}' is a string; bytes 0 to 127 (0x0 to 0x7f) are its Memshare header (docs/format.md).", dump.Stderr);
        Assert.StartsWith("00000000  4d 45 4d 53 48 41 52 45  01 00 02 00 80 00 00 00  |MEMSHARE........|", dump.Stdout[0], StringComparison.Ordinal);
        Assert.Contains(dump.Stdout, line => line.EndsWith("|....dump me.....|", StringComparison.Ordinal)); // the 4-byte length, then the text
    }

    [Fact]
    public void Dump_StaleScopedRegion_LeavesItInPlaceAndUnchanged()
    {
        string name = _scope.Name("stale");
        try
        {
            Child hold = _scope.Track(Child.Cli("hold", name, "--size", "101"));
            Assert.Equal($"holding {name} (101 bytes, created)", hold.ReadLine());
            using (SharedMemory region = SharedMemory.OpenExisting(name))
            {
                WritePattern(region);
            }

            hold.Kill(); // SIGKILL: every holder is gone, the region is stale
            byte[] before = File.ReadAllBytes(Shm.PathOf(name));
            long inode = Inode(name);
            Assert.True(CliRun.Run("info", name, "--json").AssertExit(0).Json().GetProperty("stale").GetBoolean());

            CliResult dump = CliRun.Run("dump", name).AssertExit(0);

            Assert.Equal("00000060  00 00 78 79 7a                                    |..xyz|", dump.Stdout[^2]);
            Assert.True(Shm.Exists(name), "dump removed the stale region; it must never change anything");
            Assert.Equal(inode, Inode(name));
            Assert.Equal(before, File.ReadAllBytes(Shm.PathOf(name)));
            JsonElement after = CliRun.Run("info", name, "--json").AssertExit(0).Json();
            Assert.True(after.GetProperty("stale").GetBoolean());
            Assert.Equal(Convert.ToInt32("1000", 8), Shm.Mode(name) & Convert.ToInt32("1000", 8)); // still scoped
        }
        finally
        {
            File.Delete(Shm.PathOf(name));
        }
    }

    private static long Inode(string name) =>
        long.Parse(Shm.Run("stat", "-c", "%i", Shm.PathOf(name)).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose() => _scope.Dispose();
}
