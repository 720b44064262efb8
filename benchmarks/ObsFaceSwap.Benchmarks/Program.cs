using System.Runtime.Versioning;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

[assembly: SupportedOSPlatform("linux")]

// Benchmarks for docs/performance.md. Example:
//   dotnet run -c Release --project benchmarks/ObsFaceSwap.Benchmarks -- --filter '*RoundTrip*'
// A short job keeps a full run within minutes on a 2-core machine; pass --job Default for more precision.
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(8).AsDefault());
BenchmarkSwitcher.FromAssembly(typeof(ObsFaceSwap.Benchmarks.ChannelRoundTripBenchmarks).Assembly).Run(args, config);
