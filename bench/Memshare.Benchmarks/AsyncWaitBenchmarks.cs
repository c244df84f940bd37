using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace Memshare.Benchmarks;

/// <summary>
/// An async wait woken from another thread: the benchmark sets "ping" and awaits "pong", which a peer thread sets
/// after each ping. Allocated per op is what a steady stream of async waits costs the GC.
/// </summary>
[MemoryDiagnoser]
public class AsyncWaitBenchmarks
{
    private SharedEvent? _ping;
    private SharedEvent? _pong;
    private Thread? _peer;
    private volatile bool _stop;

    [GlobalSetup]
    public void Setup()
    {
        _ping = SharedEvent.CreateOrOpen($"bench-ping-{Environment.ProcessId}");
        _pong = SharedEvent.CreateOrOpen($"bench-pong-{Environment.ProcessId}");

        // Sleeps at once, so that the benchmark's await usually finds pong unset and really waits.
        _ping.SpinDuration = TimeSpan.Zero;
        _peer = new Thread(() =>
        {
            while (!_stop)
            {
                if (_ping.Wait(TimeSpan.FromMilliseconds(100)))
                {
                    _pong.Set();
                }
            }
        }) { IsBackground = true };
        _peer.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        _peer?.Join();
        _ping?.Dispose();
        _pong?.Dispose();
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> Event_WaitAsync_SetByPeer()
    {
        _ping!.Set();
        return await _pong!.WaitAsync().ConfigureAwait(false);
    }
}
