// Micro-benchmarks: dotnet run -c Release --project bench/Memshare.Benchmarks -- --filter '*'
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Memshare.Benchmarks.RegionBenchmarks).Assembly).Run(args);
