using System.Runtime.InteropServices;
using System.Text;
using Memshare.Interop;
using Memshare.Platform;

namespace Memshare.Tests.Mac;

/// <summary>
/// Pins the macOS layouts that cannot be run here: the lock file's record (docs/format.md), and the Darwin
/// kernel structs as their headers define them (sys/stat.h's 64-bit-inode <c>struct stat</c>, sys/sysctl.h's
/// <c>struct kinfo_proc</c>), which differ from Linux's and must never be filled by a Linux call.
/// </summary>
public sealed class DarwinLayoutsTests
{
    [Theory]
    [InlineData(nameof(LockFileRecord.Magic), 0)]
    [InlineData(nameof(LockFileRecord.State), LockFileRecord.StateOffset)]
    [InlineData(nameof(LockFileRecord.Flags), 12)]
    [InlineData(nameof(LockFileRecord.Size), 16)]
    [InlineData(nameof(LockFileRecord.Creator), 24)]
    public void LockFileRecord_FieldOffsets_MatchFormat(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<LockFileRecord>(field));

    [Fact]
    public void LockFileRecord_SizeAndMagic_MatchFormat()
    {
        Assert.Equal(32, Marshal.SizeOf<LockFileRecord>());
        Assert.Equal("MSHRLOCK", Encoding.ASCII.GetString(BitConverter.GetBytes(LockFileRecord.MagicValue)));
    }

    [Theory]
    [InlineData(nameof(DarwinStat.Dev), 0)]
    [InlineData(nameof(DarwinStat.Mode), 4)]
    [InlineData(nameof(DarwinStat.NLink), 6)]
    [InlineData(nameof(DarwinStat.Ino), 8)]
    [InlineData(nameof(DarwinStat.Uid), 16)]
    [InlineData(nameof(DarwinStat.Gid), 20)]
    [InlineData(nameof(DarwinStat.Size), 96)]
    public void DarwinStat_FieldOffsets_MatchDarwinHeader(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<DarwinStat>(field));

    [Theory]
    [InlineData(nameof(KinfoProc.StartSeconds), 0)]
    [InlineData(nameof(KinfoProc.StartMicroseconds), 8)]
    [InlineData(nameof(KinfoProc.Stat), 36)]
    [InlineData(nameof(KinfoProc.Pid), 40)]
    public void KinfoProc_FieldOffsets_MatchDarwinHeader(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<KinfoProc>(field));

    [Fact]
    public unsafe void DarwinStructs_Sizes_MatchDarwinHeaders()
    {
        Assert.Equal(144, sizeof(DarwinStat));
        Assert.Equal(648, sizeof(KinfoProc));
    }
}
