using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Memshare.Layout;
using Memshare.Tests.Peers;

namespace Memshare.Tests.Golden;

/// <summary>
/// The peers copy the layout constants by hand; this test reads interop/c/memshare.h and interop/python/memshare.py
/// and checks every constant they define against the C# layout it mirrors. A peer constant with no entry here (neither
/// a C# counterpart nor a reason it is not layout) fails too, so a new constant is always paired on purpose.
/// </summary>
public sealed class PeerConstantsTests
{
    /// <summary>The C# side: each layout fact under a readable name, computed from the Layout types themselves.</summary>
    private static readonly Dictionary<string, long> CSharp = new(StringComparer.Ordinal)
    {
        ["RegionHeader.MagicValue"] = unchecked((long)RegionHeader.MagicValue),
        ["RegionHeader.CurrentVersion"] = RegionHeader.CurrentVersion,
        ["RegionHeader.Size"] = RegionHeader.Size,
        ["RegionKind.Value"] = (long)RegionKind.Value,
        ["RegionKind.String"] = (long)RegionKind.String,
        ["RegionKind.Channel"] = (long)RegionKind.Channel,
        ["RegionKind.Lock"] = (long)RegionKind.Lock,
        ["RegionKind.Event"] = (long)RegionKind.Event,
        ["RegionName.MaxLength"] = RegionName.MaxLength,
        ["SnapshotHeader.Sequence"] = SnapshotHeader.Offset + Off<SnapshotHeader>(nameof(SnapshotHeader.Sequence)),
        ["SnapshotHeader.WriterLock"] = SnapshotHeader.Offset + Off<SnapshotHeader>(nameof(SnapshotHeader.WriterLock)),
        ["SnapshotHeader.Recoveries"] = SnapshotHeader.Offset + Off<SnapshotHeader>(nameof(SnapshotHeader.Recoveries)),
        ["SnapshotHeader.End"] = SnapshotHeader.End,
        ["StringLayout.MaxCapacity"] = StringLayout.MaxCapacity,
        ["ValueLayout.TypeNameOffset"] = ValueLayout.TypeNameOffset,
        ["ValueLayout.TypeNameSize"] = ValueLayout.TypeNameSize,
        ["ValueLayout.HeaderSize"] = ValueLayout.HeaderSize,
        ["LockState.Owner"] = LockState.Offset + Off<LockState>(nameof(LockState.Owner)),
        ["LockState.Recoveries"] = LockState.Offset + Off<LockState>(nameof(LockState.Recoveries)),
        ["LockState.TotalSize"] = LockState.TotalSize,
        ["ChannelConfig.Mode"] = ChannelLayout.ModeOffset + Off<ChannelConfig>(nameof(ChannelConfig.Mode)),
        ["ChannelConfig.MaxReaders"] = ChannelLayout.ModeOffset + Off<ChannelConfig>(nameof(ChannelConfig.MaxReaders)),
        ["ChannelConfig.Overflow"] = ChannelLayout.ModeOffset + Off<ChannelConfig>(nameof(ChannelConfig.Overflow)),
        ["ChannelConfig.MaxMessage"] = ChannelLayout.ModeOffset + Off<ChannelConfig>(nameof(ChannelConfig.MaxMessage)),
        ["ChannelWriterState.Position"] = ChannelLayout.WriterLine + Off<ChannelWriterState>(nameof(ChannelWriterState.Position)),
        ["ChannelWriterState.Messages"] = ChannelLayout.WriterLine + Off<ChannelWriterState>(nameof(ChannelWriterState.Messages)),
        ["ChannelWriterState.Latest"] = ChannelLayout.WriterLine + Off<ChannelWriterState>(nameof(ChannelWriterState.Latest)),
        ["ChannelWriterState.Completed"] = ChannelLayout.WriterLine + Off<ChannelWriterState>(nameof(ChannelWriterState.Completed)),
        ["ChannelLayout.WriterLockLine"] = ChannelLayout.WriterLockLine,
        ["ChannelLayout.WriterLockLine + 8 (recoveries)"] = ChannelLayout.WriterLockLine + sizeof(ulong),
        ["ChannelLayout.DataWaitLine + WaitWord.Seq"] = ChannelLayout.DataWaitLine + Off<WaitWord>(nameof(WaitWord.Seq)),
        ["ChannelLayout.DataWaitLine + WaitWord.Waiters"] = ChannelLayout.DataWaitLine + Off<WaitWord>(nameof(WaitWord.Waiters)),
        ["ChannelLayout.SpaceWaitLine + WaitWord.Seq"] = ChannelLayout.SpaceWaitLine + Off<WaitWord>(nameof(WaitWord.Seq)),
        ["ChannelLayout.SpaceWaitLine + WaitWord.Waiters"] = ChannelLayout.SpaceWaitLine + Off<WaitWord>(nameof(WaitWord.Waiters)),
        ["ChannelLayout.ReadersOffset"] = ChannelLayout.ReadersOffset,
        ["ChannelLayout.ReaderStride"] = ChannelLayout.ReaderStride,
        ["ChannelLayout.RecordHeaderSize"] = ChannelLayout.RecordHeaderSize,
        ["ChannelLayout.PaddingLength"] = ChannelLayout.PaddingLength,
    };

    /// <summary>memshare.h: each MS_ constant and the C# fact it mirrors.</summary>
    private static readonly Dictionary<string, string> CNames = new(StringComparer.Ordinal)
    {
        ["MS_MAGIC"] = "RegionHeader.MagicValue",
        ["MS_VERSION"] = "RegionHeader.CurrentVersion",
        ["MS_KIND_VALUE"] = "RegionKind.Value",
        ["MS_KIND_STRING"] = "RegionKind.String",
        ["MS_KIND_CHANNEL"] = "RegionKind.Channel",
        ["MS_KIND_LOCK"] = "RegionKind.Lock",
        ["MS_KIND_EVENT"] = "RegionKind.Event",
        ["MS_NAME_MAX"] = "RegionName.MaxLength",
        ["MS__HDR_SIZE"] = "RegionHeader.Size",
        ["MS__SNAP_SEQUENCE"] = "SnapshotHeader.Sequence",
        ["MS__SNAP_LOCK"] = "SnapshotHeader.WriterLock",
        ["MS__SNAP_RECOVERIES"] = "SnapshotHeader.Recoveries",
        ["MS__SNAP_END"] = "SnapshotHeader.End",
        ["MS__STRING_MAX_CAPACITY"] = "StringLayout.MaxCapacity",
        ["MS__VALUE_TYPENAME"] = "ValueLayout.TypeNameOffset",
        ["MS__VALUE_HEADER"] = "ValueLayout.HeaderSize",
        ["MS__LOCK_OWNER"] = "LockState.Owner",
        ["MS__LOCK_RECOVERIES"] = "LockState.Recoveries",
        ["MS__LOCK_END"] = "LockState.TotalSize",
        ["MS__CH_MODE"] = "ChannelConfig.Mode",
        ["MS__CH_MAXREADERS"] = "ChannelConfig.MaxReaders",
        ["MS__CH_OVERFLOW"] = "ChannelConfig.Overflow",
        ["MS__CH_MAXMESSAGE"] = "ChannelConfig.MaxMessage",
        ["MS__CH_WPOSITION"] = "ChannelWriterState.Position",
        ["MS__CH_MESSAGES"] = "ChannelWriterState.Messages",
        ["MS__CH_LATEST"] = "ChannelWriterState.Latest",
        ["MS__CH_COMPLETED"] = "ChannelWriterState.Completed",
        ["MS__CH_WRITERLOCK"] = "ChannelLayout.WriterLockLine",
        ["MS__CH_WRITERRECOVERIES"] = "ChannelLayout.WriterLockLine + 8 (recoveries)",
        ["MS__CH_DATASEQ"] = "ChannelLayout.DataWaitLine + WaitWord.Seq",
        ["MS__CH_DATAWAITERS"] = "ChannelLayout.DataWaitLine + WaitWord.Waiters",
        ["MS__CH_SPACESEQ"] = "ChannelLayout.SpaceWaitLine + WaitWord.Seq",
        ["MS__CH_SPACEWAITERS"] = "ChannelLayout.SpaceWaitLine + WaitWord.Waiters",
        ["MS__CH_READERS"] = "ChannelLayout.ReadersOffset",
        ["MS__CH_READER_STRIDE"] = "ChannelLayout.ReaderStride",
        ["MS__REC_HEADER"] = "ChannelLayout.RecordHeaderSize",
        ["MS__REC_PADDING"] = "ChannelLayout.PaddingLength",
    };

    /// <summary>memshare.h constants that are the peer's own API, not layout.</summary>
    private static readonly Regex CNotLayout = new(
        "^(MS_OK|MS_E_[A-Z_]+|MS_KIND_RAW|MS_ERROR_MAX|MS_READ_WRITE|MS_READ_ONLY|MS_ALLOW_OTHER_OWNER)$");

    /// <summary>memshare.py: each layout constant and the C# fact it mirrors.</summary>
    private static readonly Dictionary<string, string> PythonNames = new(StringComparer.Ordinal)
    {
        ["MAGIC"] = "RegionHeader.MagicValue",
        ["VERSION"] = "RegionHeader.CurrentVersion",
        ["KIND_VALUE"] = "RegionKind.Value",
        ["KIND_STRING"] = "RegionKind.String",
        ["KIND_CHANNEL"] = "RegionKind.Channel",
        ["KIND_LOCK"] = "RegionKind.Lock",
        ["KIND_EVENT"] = "RegionKind.Event",
        ["_NAME_MAX"] = "RegionName.MaxLength",
        ["_HEADER_SIZE"] = "RegionHeader.Size",
        ["_SEQUENCE"] = "SnapshotHeader.Sequence",
        ["_WRITER_LOCK"] = "SnapshotHeader.WriterLock",
        ["_RECOVERIES"] = "SnapshotHeader.Recoveries",
        ["_SNAPSHOT_END"] = "SnapshotHeader.End",
        ["_STRING_MAX_CAPACITY"] = "StringLayout.MaxCapacity",
        ["_TYPE_NAME"] = "ValueLayout.TypeNameOffset",
        ["_TYPE_NAME_SIZE"] = "ValueLayout.TypeNameSize",
        ["_VALUE_HEADER"] = "ValueLayout.HeaderSize",
        ["_LOCK_OWNER"] = "LockState.Owner",
        ["_LOCK_RECOVERIES"] = "LockState.Recoveries",
        ["_LOCK_END"] = "LockState.TotalSize",
        ["_CH_POSITION"] = "ChannelWriterState.Position",
        ["_CH_MESSAGES"] = "ChannelWriterState.Messages",
        ["_CH_LATEST"] = "ChannelWriterState.Latest",
        ["_CH_COMPLETED"] = "ChannelWriterState.Completed",
        ["_CH_WRITER_LOCK"] = "ChannelLayout.WriterLockLine",
        ["_CH_RECOVERIES"] = "ChannelLayout.WriterLockLine + 8 (recoveries)",
        ["_CH_DATA_SEQ"] = "ChannelLayout.DataWaitLine + WaitWord.Seq",
        ["_CH_DATA_WAITERS"] = "ChannelLayout.DataWaitLine + WaitWord.Waiters",
        ["_CH_SPACE_SEQ"] = "ChannelLayout.SpaceWaitLine + WaitWord.Seq",
        ["_CH_SPACE_WAITERS"] = "ChannelLayout.SpaceWaitLine + WaitWord.Waiters",
        ["_CH_READERS"] = "ChannelLayout.ReadersOffset",
        ["_CH_READER_STRIDE"] = "ChannelLayout.ReaderStride",
        ["_RECORD_HEADER"] = "ChannelLayout.RecordHeaderSize",
        ["_PADDING"] = "ChannelLayout.PaddingLength",
    };

    /// <summary>
    /// memshare.py constants that are not layout: names for messages, the module's own timing (the C# waits are
    /// bounded the same way by SR-documented constants), CLI exit codes, the futex ABI, and the two struct formats
    /// that <see cref="PythonStructFormats_MatchCSharpStructs"/> checks field by field.
    /// </summary>
    private static readonly Regex PythonNotLayout = new(
        "^(_KIND_NAMES|_MODE_NAMES|_SHM_DIR|_LOCK_DEADLINE|_MAX_SLEEP|_RACE_WINDOW|_ATOMICS|_TSO|_SYS_FUTEX|_FUTEX_WAIT|_FUTEX_WAKE|_EXIT_[A-Z_]+|_HEADER|_CH_CONFIG)$");

    [Fact]
    public void CHeader_EveryConstant_MatchesCSharpLayout() =>
        AssertMatch("interop/c/memshare.h", PeerConstants.FromC(Read("interop/c/memshare.h")), CNames, CNotLayout);

    [Fact]
    public void PythonModule_EveryConstant_MatchesCSharpLayout() =>
        AssertMatch("interop/python/memshare.py", PeerConstants.FromPython(Read("interop/python/memshare.py")), PythonNames, PythonNotLayout);

    /// <summary>memshare.py unpacks the header and the channel configuration with struct formats; each code must be the C# field's type, in offset order, without gaps.</summary>
    [Theory]
    [InlineData("_HEADER", typeof(RegionHeader))]
    [InlineData("_CH_CONFIG", typeof(ChannelConfig))]
    public void PythonStructFormats_MatchCSharpStructs(string name, Type layout)
    {
        PeerConstants.Constant constant = Assert.Single(PeerConstants.FromPython(Read("interop/python/memshare.py")), c => c.Name == name);
        string format = Regex.Match(constant.Source, "struct\\.Struct\\(\"([^\"]+)\"\\)").Groups[1].Value;
        string expected = "<";
        int next = 0;
        foreach (FieldInfo f in layout.GetFields(BindingFlags.Instance | BindingFlags.Public).OrderBy(f => (int)Marshal.OffsetOf(layout, f.Name)))
        {
            int offset = (int)Marshal.OffsetOf(layout, f.Name);
            Assert.True(offset == next, $"{layout.Name}.{f.Name} is at {offset}, after a gap from {next}: a struct format cannot skip it");
            expected += Type.GetTypeCode(f.FieldType) switch
            {
                TypeCode.UInt64 => "Q",
                TypeCode.Int64 => "q",
                TypeCode.UInt32 => "I",
                TypeCode.Int32 => "i",
                TypeCode.UInt16 => "H",
                TypeCode.Int16 => "h",
                _ => throw new InvalidOperationException($"no struct code for {f.FieldType}"),
            };
            next = offset + Marshal.SizeOf(f.FieldType);
        }

        Assert.True(format == expected, $"memshare.py {name} = struct.Struct(\"{format}\") but C# {layout.Name} is \"{expected}\" (in field order).");
    }

    /// <summary>The check itself: a drifted value is caught, naming both sides.</summary>
    [Fact]
    public void Drift_IsReported_NamingBothSides()
    {
        List<PeerConstants.Constant> drifted = PeerConstants.FromC(
            Read("interop/c/memshare.h").Replace("#define MS__CH_MESSAGES 264", "#define MS__CH_MESSAGES 268", StringComparison.Ordinal));

        List<string> problems = Problems("memshare.h", drifted, CNames, CNotLayout);

        Assert.Equal(["memshare.h: MS__CH_MESSAGES = 268, but C# ChannelWriterState.Messages is 264"], problems);
        List<string> unknown = Problems("memshare.h", [.. drifted, new("MS__CH_NEW_FIELD", "296", 296)], CNames, CNotLayout);
        Assert.Contains(unknown, p => p.Contains("MS__CH_NEW_FIELD", StringComparison.Ordinal) && p.Contains("no C# counterpart", StringComparison.Ordinal));
    }

    [Fact]
    public void Parser_ReadsEveryMappedConstant()
    {
        // Guards the guard: a parser that silently found nothing would pass the drift tests.
        Assert.Superset(CNames.Keys.ToHashSet(), PeerConstants.FromC(Read("interop/c/memshare.h")).Where(c => c.Value is not null).Select(c => c.Name).ToHashSet());
        Assert.Superset(PythonNames.Keys.ToHashSet(), PeerConstants.FromPython(Read("interop/python/memshare.py")).Where(c => c.Value is not null).Select(c => c.Name).ToHashSet());
    }

    private static void AssertMatch(string file, List<PeerConstants.Constant> constants, Dictionary<string, string> names, Regex notLayout)
    {
        List<string> problems = Problems(file, constants, names, notLayout);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static List<string> Problems(string file, List<PeerConstants.Constant> constants, Dictionary<string, string> names, Regex notLayout)
    {
        var problems = new List<string>();
        foreach (PeerConstants.Constant c in constants)
        {
            if (notLayout.IsMatch(c.Name))
            {
                continue;
            }

            if (!names.TryGetValue(c.Name, out string? fact))
            {
                problems.Add($"{file}: {c.Name} = {c.Source} has no C# counterpart; map it to a Layout constant in {nameof(PeerConstantsTests)}, or list it as not layout.");
            }
            else if (c.Value != CSharp[fact])
            {
                problems.Add($"{file}: {c.Name} = {c.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? c.Source}, but C# {fact} is {CSharp[fact]}");
            }
        }

        foreach (string missing in names.Keys.Except(constants.Select(c => c.Name)))
        {
            problems.Add($"{file}: no constant {missing} (C# {names[missing]}); remove it from {nameof(PeerConstantsTests)} if the peer no longer needs it.");
        }

        return problems;
    }

    private static long Off<T>(string field) => (long)Marshal.OffsetOf<T>(field);

    private static string Read(string relative) => File.ReadAllText(Path.Combine(NativeBuild.RepoRoot, relative));
}
