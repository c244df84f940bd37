using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// Single-core copy bandwidth for the 64 KiB throughput comparison: <see cref="Buffer.MemoryCopy(void*, void*, long, long)"/> of 64 KiB
/// blocks from one 128 MiB buffer to another (4x the 32 MiB L3 here, so it runs at memory speed), in this process.
/// Also, for context, the same copy within one 64 KiB pair of buffers that stay in cache.
/// </summary>
internal sealed unsafe class MemcpyBandwidth : IDisposable
{
    internal const int Block = 65536;
    private const long BufferBytes = 128L << 20;
    private readonly byte* _source;
    private readonly byte* _destination;

    internal MemcpyBandwidth()
    {
        _source = (byte*)NativeMemory.AlignedAlloc((nuint)BufferBytes, 4096);
        _destination = (byte*)NativeMemory.AlignedAlloc((nuint)BufferBytes, 4096);
        new Span<byte>(_source, (int)Math.Min(BufferBytes, int.MaxValue)).Fill(0x5A); // touch every page
        new Span<byte>(_destination, (int)Math.Min(BufferBytes, int.MaxValue)).Clear();
    }

    /// <summary>GB/s (10^9 bytes) copying 64 KiB blocks through the large buffers.</summary>
    internal double Large(TimeSpan duration) => Copy(_source, _destination, BufferBytes, duration);

    /// <summary>GB/s copying one 64 KiB block over and over (both buffers stay in L2).</summary>
    internal double InCache(TimeSpan duration) => Copy(_source, _destination, Block, duration);

    public void Dispose()
    {
        NativeMemory.AlignedFree(_source);
        NativeMemory.AlignedFree(_destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Copy(byte* source, byte* destination, long span, TimeSpan duration)
    {
        long blocksPerPass = span / Block;
        long passes = Math.Max(1, (8L << 20) / span); // check the clock about every 8 MiB
        _ = CopyPasses(source, destination, blocksPerPass, passes); // warm-up
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long bytes = 0;
        long now;
        do
        {
            bytes += CopyPasses(source, destination, blocksPerPass, passes);
            now = Stopwatch.GetTimestamp();
        }
        while (now < end);

        return bytes / ((now - start) / (double)Stopwatch.Frequency) / 1e9;
    }

    private static long CopyPasses(byte* source, byte* destination, long blocksPerPass, long passes)
    {
        for (long p = 0; p < passes; p++)
        {
            for (long b = 0; b < blocksPerPass; b++)
            {
                Buffer.MemoryCopy(source + (b * Block), destination + (b * Block), Block, Block);
            }
        }

        return passes * blocksPerPass * Block;
    }
}
