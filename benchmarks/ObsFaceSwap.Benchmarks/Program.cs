using System.Runtime.Versioning;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

[assembly: SupportedOSPlatform("linux")]

// Benchmarks for docs/performance.md. Examples:
//   dotnet run -c Release --project benchmarks/ObsFaceSwap.Benchmarks -- --filter '*RoundTrip*'
//   dotnet run -c Release --project benchmarks/ObsFaceSwap.Benchmarks -- --filter '*Detection*' '*PrivacyPipeline*'
// A short job keeps a full run within minutes on a 2-core machine; pass --job Default for more precision.
// When the run measured DetectionBenchmarks.Preprocess, scripts/bench-opencv.py (OpenCV under
// /usr/bin/python3) runs afterwards in the same command and a combined table is printed.
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(8).AsDefault());
var summaries = BenchmarkSwitcher.FromAssembly(typeof(ObsFaceSwap.Benchmarks.ChannelRoundTripBenchmarks).Assembly).Run(args, config).ToArray();
ObsFaceSwap.Benchmarks.OpenCvComparison.ReportIfMeasured(summaries);
