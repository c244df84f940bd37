using Memshare.TestChild;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests;

/// <summary>The hot paths allocate nothing once warm.</summary>
public sealed class AllocationTests : IDisposable
{
    private const int Iterations = 10_000;

    private readonly ShmScope _scope = new();

    [Fact]
    public void SharedValue_ReadAndWrite_AllocateNothing()
    {
        using SharedValue<Octet> value = SharedValue<Octet>.CreateNew(_scope.Name());
        long sum = 0;
        for (int i = 0; i < 1000; i++)
        {
            value.Write(Octet.Of(i));
            sum += value.Read().A;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            value.Write(Octet.Of(i));
            sum += value.Read().H;
            sum += value.ReadOnlyValue.A;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sum);
    }

    [Fact]
    public void SharedString_SpanGetAndSet_AllocateNothing()
    {
        using SharedString slot = SharedString.CreateNew(_scope.Name(), 256);
        ReadOnlySpan<byte> a = "first value"u8;
        ReadOnlySpan<byte> b = "second, longer value: ü€"u8;
        Span<byte> buffer = stackalloc byte[256];
        long total = 0;
        for (int i = 0; i < 1000; i++)
        {
            slot.Set((i & 1) == 0 ? a : b);
            total += slot.Get(buffer);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            slot.Set((i & 1) == 0 ? a : b);
            total += slot.Get(buffer);
            total += slot.Version;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(total > 0);
    }

    [Fact]
    public void SharedString_SetString_AllocatesNothing()
    {
        using SharedString slot = SharedString.CreateNew(_scope.Name(), 256);
        string[] values = ["alpha", "beta — ß"];
        for (int i = 0; i < 1000; i++)
        {
            slot.Set(values[i & 1]);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            slot.Set(values[i & 1]);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(values[(Iterations - 1) & 1], slot.Get());
    }

    public void Dispose() => _scope.Dispose();
}
