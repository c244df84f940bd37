// Micro-benchmarks:   dotnet run -c Release --project bench/Memshare.Benchmarks -- --filter '*'
// Wake-up latency:    dotnet run -c Release --project bench/Memshare.Benchmarks -- wake
using BenchmarkDotNet.Running;
using Memshare.Benchmarks;

return args switch
{
    ["wake", ..] => WakeLatency.Run(args),
    ["wake-peer", ..] => WakeLatency.Peer(args),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(RegionBenchmarks).Assembly).Run(args);
    return 0;
}
