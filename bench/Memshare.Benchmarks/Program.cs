// Micro-benchmarks:   dotnet run -c Release --project bench/Memshare.Benchmarks -- --filter '*'
// Wake-up latency:    dotnet run -c Release --project bench/Memshare.Benchmarks -- wake
// Cross-process IPC:  dotnet run -c Release --project bench/Memshare.Benchmarks -- ipc [--quick] [--reps N] [--csv PATH] [--csv-detail PATH]
// Guarantee costs:   dotnet run -c Release --project bench/Memshare.Benchmarks -- costs [--trials N] [--size BYTES]
// Copy distance:     dotnet run -c Release --project bench/Memshare.Benchmarks -- copy-distance [--size BYTES]
// Channel scaling:    dotnet run -c Release --project bench/Memshare.Benchmarks -- scale [--quick] [--reps N] [--csv PATH]
// NATS bridge:        dotnet run -c Release --project bench/Memshare.Benchmarks -- bridge [--nats URL] [--count N] [--latency N]
using BenchmarkDotNet.Running;
using Memshare.Benchmarks;
using Memshare.Benchmarks.Bridge;
using Memshare.Benchmarks.Ipc;
using Memshare.Benchmarks.Scale;

return args switch
{
    ["wake", ..] => WakeLatency.Run(args),
    ["wake-peer", ..] => WakeLatency.Peer(args),
    ["ipc", ..] => IpcBenchmark.Run(args[1..]),
    ["ipc-peer", ..] => IpcPeer.Run(args[1..]), // hidden: the other process of the ipc harness
    ["costs", ..] => GuaranteeCosts.Run(args[1..]),
    ["copy-distance", ..] => CopyDistance.Run(args[1..]),
    ["costs-peer", ..] => GuaranteeCosts.Peer(args), // hidden: the other process of the costs command
    ["scale", ..] => ScaleBenchmark.Run(args[1..]),
    ["scale-peer", ..] => ScalePeer.Run(args[1..]), // hidden: a broadcast reader or a producer of the scale harness
    ["bridge", ..] => BridgeBenchmark.Run(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(RegionBenchmarks).Assembly).Run(args);
    return 0;
}
