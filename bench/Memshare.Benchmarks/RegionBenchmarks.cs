using BenchmarkDotNet.Attributes;

namespace Memshare.Benchmarks;

/// <summary>What it costs to get a region and let it go: the foundation issue's CreateOrOpen + Dispose figure.</summary>
[MemoryDiagnoser]
public class RegionBenchmarks
{
    private readonly string _fresh = $"bench-fresh-{Environment.ProcessId}";
    private readonly string _held = $"bench-held-{Environment.ProcessId}";
    private SharedMemory? _holder;

    [GlobalSetup]
    public void Setup() => _holder = SharedMemory.CreateNew(_held, 4096);

    [GlobalCleanup]
    public void Cleanup() => _holder?.Dispose();

    /// <summary>The name is absent each time: create, initialise, publish, then remove as the last holder.</summary>
    [Benchmark(Baseline = true)]
    public bool CreateOrOpen_Fresh_Dispose()
    {
        using SharedMemory region = SharedMemory.CreateOrOpen(_fresh, 4096, out bool created);
        return created;
    }

    /// <summary>Another holder keeps the region alive: open, lock, verify, map, then close.</summary>
    [Benchmark]
    public bool CreateOrOpen_Existing_Dispose()
    {
        using SharedMemory region = SharedMemory.CreateOrOpen(_held, 4096, out bool created);
        return created;
    }
}
