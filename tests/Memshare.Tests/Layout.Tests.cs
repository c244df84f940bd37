using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Memshare.Layout;
using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests;

/// <summary>
/// Pins the byte layout of docs/format.md: the structs, the constants, and the bytes a real region holds.
/// A failure here means the on-memory format changed — bump RegionHeader.CurrentVersion and the doc on purpose.
/// </summary>
public sealed class LayoutTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Theory]
    [InlineData(nameof(RegionHeader.Magic), 0)]
    [InlineData(nameof(RegionHeader.Version), 8)]
    [InlineData(nameof(RegionHeader.Kind), 10)]
    [InlineData(nameof(RegionHeader.HeaderSize), 12)]
    [InlineData(nameof(RegionHeader.TotalSize), 16)]
    [InlineData(nameof(RegionHeader.Fingerprint), 24)]
    [InlineData(nameof(RegionHeader.PayloadSize), 32)]
    [InlineData(nameof(RegionHeader.SlotStride), 36)]
    public void RegionHeader_FieldOffsets_MatchFormat(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<RegionHeader>(field));

    [Theory]
    [InlineData(nameof(SnapshotHeader.Sequence), 0)]
    [InlineData(nameof(SnapshotHeader.WriterLock), 8)]
    [InlineData(nameof(SnapshotHeader.Recoveries), 16)]
    public void SnapshotHeader_FieldOffsets_MatchFormat(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<SnapshotHeader>(field));

    [Theory]
    [InlineData(nameof(ChannelConfig.Mode), 0)]
    [InlineData(nameof(ChannelConfig.MaxReaders), 4)]
    [InlineData(nameof(ChannelConfig.Overflow), 8)]
    [InlineData(nameof(ChannelConfig.MaxMessage), 12)]
    public void ChannelConfig_FieldOffsets_MatchFormat(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<ChannelConfig>(field));

    /// <summary>Offsets within the writer's line at 256: format.md lists them as 256, 264, 272, 280, 288.</summary>
    [Theory]
    [InlineData(nameof(ChannelWriterState.Position), 0)]
    [InlineData(nameof(ChannelWriterState.Messages), 8)]
    [InlineData(nameof(ChannelWriterState.Latest), 16)]
    [InlineData(nameof(ChannelWriterState.Claim), 24)]
    [InlineData(nameof(ChannelWriterState.Completed), 32)]
    public void ChannelWriterState_FieldOffsets_MatchFormat(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<ChannelWriterState>(field));

    [Theory]
    [InlineData(nameof(ChannelCheckpoint.Count), 0)]
    [InlineData(nameof(ChannelCheckpoint.Value), 8)]
    public void ChannelCheckpoint_FieldOffsets_MatchFormat(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<ChannelCheckpoint>(field));

    /// <summary>Offsets within reader i's line at 768 + 128 i.</summary>
    [Theory]
    [InlineData(nameof(ChannelReaderState.Position), 0)]
    [InlineData(nameof(ChannelReaderState.Owner), 8)]
    [InlineData(nameof(ChannelReaderState.Lost), 16)]
    [InlineData(nameof(ChannelReaderState.Attached), 24)]
    [InlineData(nameof(ChannelReaderState.NextSequence), 32)]
    public void ChannelReaderState_FieldOffsets_MatchFormat(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<ChannelReaderState>(field));

    [Theory]
    [InlineData(nameof(WaitWord.Seq), 0)]
    [InlineData(nameof(WaitWord.Waiters), 4)]
    public void WaitWord_FieldOffsets_MatchFormat(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<WaitWord>(field));

    [Theory]
    [InlineData(nameof(RecordHeader.Length), 0)]
    [InlineData(nameof(RecordHeader.Sequence), 4)]
    [InlineData(nameof(RecordHeader.Tag), 8)]
    public void RecordHeader_FieldOffsets_MatchFormat(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<RecordHeader>(field));

    [Fact]
    public void ChannelLayout_SizesAndConstants_MatchFormat()
    {
        Assert.Equal(16, Unsafe.SizeOf<ChannelConfig>());
        Assert.Equal(40, Unsafe.SizeOf<ChannelWriterState>());
        Assert.Equal(16, Unsafe.SizeOf<ChannelCheckpoint>());
        Assert.Equal(40, Unsafe.SizeOf<ChannelReaderState>());
        Assert.Equal(8, Unsafe.SizeOf<WaitWord>());
        Assert.Equal(16, Unsafe.SizeOf<RecordHeader>());

        // The control block: every hot field on its own 128-byte line (format.md, Channel).
        Assert.Equal(64, ChannelLayout.ModeOffset);
        Assert.Equal(256, ChannelLayout.WriterLine);
        Assert.Equal(320, ChannelLayout.CheckpointsOffset);
        Assert.Equal(336, ChannelLayout.CheckpointsOffset + Unsafe.SizeOf<ChannelCheckpoint>()); // slot 1
        Assert.Equal(384, ChannelLayout.WriterLockLine);
        Assert.Equal(512, ChannelLayout.DataWaitLine);
        Assert.Equal(640, ChannelLayout.SpaceWaitLine);
        Assert.Equal(768, ChannelLayout.ReadersOffset);
        Assert.Equal(128, ChannelLayout.ReaderStride);
        Assert.True(ChannelLayout.WriterLine + Unsafe.SizeOf<ChannelWriterState>() <= ChannelLayout.CheckpointsOffset);
        Assert.True(ChannelLayout.CheckpointsOffset + (2 * Unsafe.SizeOf<ChannelCheckpoint>()) <= ChannelLayout.WriterLockLine);
        Assert.True(Unsafe.SizeOf<ChannelReaderState>() <= ChannelLayout.ReaderStride);

        // Records and the ring.
        Assert.Equal(16, ChannelLayout.RecordHeaderSize);
        Assert.Equal(16, ChannelLayout.RecordAlignment);
        Assert.Equal(-1, ChannelLayout.PaddingLength);
        Assert.Equal(16, ChannelLayout.RecordSize(0));
        Assert.Equal(32, ChannelLayout.RecordSize(1));
        Assert.Equal(32, ChannelLayout.RecordSize(16));
        Assert.Equal(48, ChannelLayout.RecordSize(17));
        Assert.Equal(4096, ChannelLayout.MinCapacity);
        Assert.Equal(1 << 30, ChannelLayout.MaxCapacity);
        Assert.Equal(64, ChannelLayout.MaxReadersLimit);
        Assert.Equal(2032, ChannelLayout.MaxMessage(4096)); // capacity / 2 - 16

        // DataOffset = align4096(768 + 128 MaxReaders); TotalSize = DataOffset + capacity.
        Assert.Equal(4096, ChannelLayout.DataOffset(1));
        Assert.Equal(4096, ChannelLayout.DataOffset(26));
        Assert.Equal(8192, ChannelLayout.DataOffset(27));
        Assert.Equal(12288, ChannelLayout.DataOffset(64));
        Assert.Equal(8192, ChannelLayout.TotalSize(4096, 1));

        Assert.Equal(3, (int)RegionKind.Channel);
        Assert.Equal(4, (int)RegionKind.Lock);
        Assert.Equal(5, (int)RegionKind.Event);
    }

    [Fact]
    public void Sizes_AndConstants_MatchFormat()
    {
        Assert.Equal(64, Unsafe.SizeOf<RegionHeader>());
        Assert.Equal(64, RegionHeader.Size);
        Assert.Equal(64, Unsafe.SizeOf<SnapshotHeader>());
        Assert.Equal(64, SnapshotHeader.Offset);
        Assert.Equal(128, SnapshotHeader.End);
        Assert.Equal(1, RegionHeader.CurrentVersion);
        Assert.Equal("MEMSHARE"u8.ToArray(), BitConverter.GetBytes(RegionHeader.MagicValue));

        Assert.Equal(128, StringLayout.HeaderSize);
        Assert.Equal(4, StringLayout.LengthPrefix);
        Assert.Equal(64 << 20, StringLayout.MaxCapacity);
        Assert.Equal(64, StringLayout.Stride(60));
        Assert.Equal(128, StringLayout.Stride(61));
        Assert.Equal(128 + (2 * 1024), StringLayout.TotalSize(1000));

        Assert.Equal(128, ValueLayout.TypeNameOffset);
        Assert.Equal(64, ValueLayout.TypeNameSize);
        Assert.Equal(192, ValueLayout.HeaderSize);
        Assert.Equal(64, ValueLayout.Stride(1));
        Assert.Equal(128, ValueLayout.Stride(65));
        Assert.Equal(192 + (2 * 128), ValueLayout.TotalSize(80));

        Assert.Equal(1, (int)RegionKind.Value);
        Assert.Equal(2, (int)RegionKind.String);
    }

    [Fact]
    public void SharedStringRegion_Bytes_MatchFormat()
    {
        string name = _scope.Name();
        using SharedString slot = SharedString.CreateNew(name, 100);
        slot.Set("hi");
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        ReadOnlySpan<byte> b = raw.ReadOnlySpan;

        Assert.Equal(128 + (2 * 128), b.Length);
        Assert.Equal("MEMSHARE"u8.ToArray(), b[..8].ToArray());
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(b[8..]));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(b[10..]));
        Assert.Equal(128u, BinaryPrimitives.ReadUInt32LittleEndian(b[12..]));
        Assert.Equal(384, BinaryPrimitives.ReadInt64LittleEndian(b[16..]));
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(b[24..]));
        Assert.Equal(100u, BinaryPrimitives.ReadUInt32LittleEndian(b[32..]));
        Assert.Equal(128u, BinaryPrimitives.ReadUInt32LittleEndian(b[36..]));
        Assert.Equal(-1, b[40..64].IndexOfAnyExcept((byte)0));

        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(b[64..])); // Sequence: one Set
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(b[72..])); // WriterLock: free
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(b[80..])); // Recoveries
        Assert.Equal(-1, b[88..128].IndexOfAnyExcept((byte)0));

        // Sequence 1 is odd: the current string is in slot 1, at 128 + stride.
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(b[256..]));
        Assert.Equal("hi"u8.ToArray(), b[260..262].ToArray());
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(b[128..])); // slot 0 still holds ""
    }

    [Fact]
    public void SharedValueRegion_Bytes_MatchFormat()
    {
        string name = _scope.Name();
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(name, Octet.Of(0x1122334455667788));
        using SharedMemory raw = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        ReadOnlySpan<byte> b = raw.ReadOnlySpan;

        Assert.Equal(192 + (2 * 64), b.Length);
        Assert.Equal("MEMSHARE"u8.ToArray(), b[..8].ToArray());
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(b[10..]));
        Assert.Equal(192u, BinaryPrimitives.ReadUInt32LittleEndian(b[12..]));
        Assert.Equal(320, BinaryPrimitives.ReadInt64LittleEndian(b[16..]));
        Assert.NotEqual(0ul, BinaryPrimitives.ReadUInt64LittleEndian(b[24..])); // fingerprint of Octet
        Assert.Equal(64u, BinaryPrimitives.ReadUInt32LittleEndian(b[32..]));
        Assert.Equal(64u, BinaryPrimitives.ReadUInt32LittleEndian(b[36..]));
        Assert.Equal("Octet", Encoding.UTF8.GetString(b.Slice(128, 64)).TrimEnd('\0'));

        // Sequence 0: the initial value is in slot 0, at 192.
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(b[64..]));
        for (int field = 0; field < 8; field++)
        {
            Assert.Equal(0x1122334455667788, BinaryPrimitives.ReadInt64LittleEndian(b[(192 + (8 * field))..]));
        }
    }

    [Fact]
    public void RawRegion_HasNoHeader()
    {
        string name = _scope.Name();
        using SharedMemory region = SharedMemory.CreateNew(name, 16);

        Assert.Equal(16, new FileInfo(Shm.PathOf(name)).Length);
        Assert.Equal(new byte[16], File.ReadAllBytes(Shm.PathOf(name)));
    }

    public void Dispose() => _scope.Dispose();
}
