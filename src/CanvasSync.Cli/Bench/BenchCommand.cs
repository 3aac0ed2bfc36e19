using System.CommandLine;

namespace CanvasSync.Cli.Bench;

/// <summary>`canvas-sync bench ...`: benchmarks that print figures (never pass/fail timings).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var seconds = new Option<int>("--seconds") { Description = "How long to drive load", DefaultValueFactory = _ => 10 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight", DefaultValueFactory = _ => 8 };
        var sandbox = new Command("sandbox", "Requests/s the sandbox Canvas serves with 100-item pages at zero latency (it runs in a child process)")
        {
            seconds, concurrency,
        };
        sandbox.SetAction((parse, ct) => SandboxBench.RunAsync(parse.GetValue(seconds), parse.GetValue(concurrency), ct));
        return new Command("bench", "Benchmarks that print figures") { sandbox };
    }
}
