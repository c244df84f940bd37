using BenchmarkDotNet.Attributes;

namespace Memshare.Benchmarks;

/// <summary>Uncontended SharedLock acquire + release, and an event Set with nobody waiting.</summary>
[MemoryDiagnoser]
public class LockBenchmarks
{
    private SharedLock? _lock;
    private SharedEvent? _event;

    [GlobalSetup]
    public void Setup()
    {
        _lock = SharedLock.CreateOrOpen($"bench-lock-{Environment.ProcessId}");
        _event = SharedEvent.CreateOrOpen($"bench-event-{Environment.ProcessId}", EventResetMode.ManualReset);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _lock?.Dispose();
        _event?.Dispose();
    }

    [Benchmark]
    public bool Lock_AcquireRelease()
    {
        using SharedLockGuard guard = _lock!.Acquire();
        return guard.PreviousOwnerDied;
    }

    [Benchmark]
    public void Event_Set_NoWaiters() => _event!.Set();
}
