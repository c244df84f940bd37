using System.Runtime.CompilerServices;

namespace Memshare.Tests;

/// <summary>
/// <see cref="BulkCopy"/> copies exactly what <see cref="Span{T}.CopyTo"/> would, at every distance between source
/// and destination (it takes another path for 1 to 31 bytes modulo 4 KiB), for sizes on both sides of the 2 KiB
/// piece, and leaves overlapping spans to <c>memmove</c>. How fast it is belongs to the benchmarks (`costs`).
/// </summary>
public sealed class BulkCopyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2048)]
    [InlineData(2049)]
    [InlineData(4096)]
    [InlineData(65536 + 7)]
    public void Copy_EveryDistanceModuloAPage_CopiesExactlyTheSource(int size)
    {
        // Pinned, so the distance between the two arrays (which the copy's path depends on) stays what is computed here.
        byte[] source = GC.AllocateArray<byte>(size, pinned: true);
        byte[] destination = GC.AllocateArray<byte>(size + 8192, pinned: true);
        new Random(size).NextBytes(source);
        long apart = Unsafe.ByteOffset(ref source[0], ref destination[0]);
        for (int distance = 0; distance < 64; distance++)
        {
            int start = (int)(((distance - apart) % 4096 + 4096) % 4096);
            Array.Clear(destination);
            Span<byte> target = destination.AsSpan(start, size);
            Assert.Equal(distance, (int)(Unsafe.ByteOffset(ref source[0], ref target[0]) & 4095));

            BulkCopy.Copy(source, target);

            Assert.True(target.SequenceEqual(source), $"size {size}, distance {distance}: the copy differs");
            Assert.True(destination.AsSpan(0, start).IndexOfAnyExcept((byte)0) < 0, $"size {size}, distance {distance}: wrote before the destination");
            Assert.True(destination.AsSpan(start + size).IndexOfAnyExcept((byte)0) < 0, $"size {size}, distance {distance}: wrote past the destination");
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    public void Copy_OverlappingSpansAFewBytesApart_CopiesAsMemmove(int distance)
    {
        const int size = 10_000;
        byte[] buffer = new byte[size + 64];
        new Random(distance).NextBytes(buffer);
        byte[] expected = (byte[])buffer.Clone();
        expected.AsSpan(0, size).CopyTo(expected.AsSpan(distance, size));

        BulkCopy.Copy(buffer.AsSpan(0, size), buffer.AsSpan(distance, size));

        Assert.Equal(expected, buffer);
    }

    [Fact]
    public void Copy_DestinationTooShort_ThrowsAsCopyTo()
    {
        byte[] source = new byte[5000];
        byte[] destination = new byte[4999 + 16];
        Assert.Throws<ArgumentException>(() => BulkCopy.Copy(source, destination.AsSpan(16)));
    }
}
