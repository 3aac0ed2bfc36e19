using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Canvas;
using CanvasSync.Hosting;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Bench;

/// <summary>
/// Fetches everything a teacher can read from a sandbox Canvas (no database) and compares with the sandbox's truth:
/// requests against the minimum, throttled responses, wall time against the ideal minimum x (latency + cost) / 11
/// (11 in flight is what Canvas's bucket allows), and peak memory (issue #3).
/// </summary>
internal static class ClientBench
{
    public sealed record Settings(string Profile, int Seed, int LatencyMs, int CostMs, double Faults, int ThrottleStatus, bool Sequential, string Who);

    public static async Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        await using var sandbox = await ChildSandbox.StartAsync(
        [
            "--profile", s.Profile, "--seed", s.Seed.ToString(CultureInfo.InvariantCulture), "--latency-ms", s.LatencyMs.ToString(CultureInfo.InvariantCulture),
            "--cost-ms", s.CostMs.ToString(CultureInfo.InvariantCulture), "--faults", s.Faults.ToString(CultureInfo.InvariantCulture),
            "--throttle", "canvas", "--throttle-status", s.ThrottleStatus.ToString(CultureInfo.InvariantCulture),
        ], ct);
        var token = sandbox.Tokens.GetProperty(s.Who).GetString()!;
        using var control = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl) };
        var summary = await sandbox.TruthSummaryAsync(token, ct);
        var truth = new Truth(summary.GetProperty("min_requests").GetInt64(),
            summary.GetProperty("counts").EnumerateObject().Where(p => p.Name != "terms").ToDictionary(p => p.Name, p => p.Value.GetInt64()));
        (await control.PostAsync("/_sandbox/stats/reset", null, ct)).EnsureSuccessStatusCode();

        await using var services = new ServiceCollection()
            .AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Error))
            .AddSingleton(TimeProvider.System)
            .AddCanvasClient()
            .AddOptions().Configure<CanvasOptions>(o =>
            {
                o.AllowPrivateNetwork = true; // the benchmark's sandbox is on loopback
                o.AllowHttp = true;
            })
            .BuildServiceProvider();
        var session = services.GetRequiredService<CanvasClient>().Open(new Uri(sandbox.BaseUrl), token, maxInFlight: s.Sequential ? 1 : null);
        var sink = new CountingSink();

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await new CanvasFullRead(session, sink).RunAsync(ct);
        var wall = clock.Elapsed;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        var stats = await control.GetFromJsonAsync<JsonElement>("/_sandbox/stats", ct);
        var a = session.Accounting;
        var ideal = truth.MinRequests * (s.LatencyMs + s.CostMs) / 1000.0 / 11;
        var missing = truth.Counts.Where(kv => sink.Count(kv.Key) != kv.Value).Select(kv => $"{kv.Key} {sink.Count(kv.Key)}/{kv.Value}").ToList();
        var throttledShare = a.Requests == 0 ? 0 : 100.0 * a.Throttled / a.Requests;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            bench client: {s.Profile} profile as {s.Who}, latency {s.LatencyMs} ms, cost {s.CostMs} ms, faults {s.Faults:0.##}, throttle status {s.ThrottleStatus}{(s.Sequential ? ", ONE REQUEST AT A TIME" : "")}
              requests        {a.Requests} vs minimum {truth.MinRequests} = {a.Requests / (double)truth.MinRequests:F3} x  (sandbox saw {stats.GetProperty("requests").GetInt64()})
              throttled       {a.Throttled} ({throttledShare:F2}% of requests)   retries {a.Retries} {string.Join(", ", a.RetriesByCause.Select(kv => $"{kv.Key}={kv.Value}"))}
              failed          {a.Failed} requests, {sink.FailedCollections} collections{(sink.FailedCollections > 0 ? ": " + string.Join("; ", sink.Failures.Take(3)) : "")}
              wall time       {wall.TotalSeconds:F2} s vs ideal {ideal:F2} s = {wall.TotalSeconds / ideal:F2} x
              in flight       up to {a.MaxInFlight} (sandbox saw {MaxInFlight(stats)} at once)
              items           {a.Items} in {a.Pages} pages, {a.Bytes / 1e6:F1} MB; {(missing.Count == 0 ? "everything in the truth was fetched" : "MISSING: " + string.Join(", ", missing))}
              peak RSS        {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB;  CPU {cpu.TotalSeconds:F2} s
            """));
        return missing.Count == 0 && a.Failed == 0 ? 0 : 1;
    }

    private sealed record Truth(long MinRequests, Dictionary<string, long> Counts);

    private static long MaxInFlight(JsonElement stats) =>
        stats.GetProperty("max_in_flight").EnumerateObject().Select(p => p.Value.GetInt64()).DefaultIfEmpty().Max();

    /// <summary>Counts distinct items per collection; keeps nothing else.</summary>
    private sealed class CountingSink : ICanvasPageSink
    {
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _keys = new();
        private readonly ConcurrentQueue<string> _failures = new();

        public int FailedCollections => _failures.Count;
        public IEnumerable<string> Failures => _failures;
        public long Count(string collection) => _keys.TryGetValue(collection, out var k) ? k.Count : 0;

        public ValueTask OnPageAsync<T>(CanvasPage<T> page, long? courseId, CancellationToken cancellationToken)
        {
            var keys = _keys.GetOrAdd(page.Collection, _ => new());
            foreach (var item in page.Items) keys.TryAdd(item.Key, 0);
            return ValueTask.CompletedTask;
        }

        public ValueTask OnCollectionFailedAsync(string collection, long? courseId, CanvasException error, CancellationToken cancellationToken)
        {
            // A student's 401 on group categories is expected; anything else is a real failure.
            if (error is not CanvasPermissionException) _failures.Enqueue($"{collection} of course {courseId}: {error.Message}");
            return ValueTask.CompletedTask;
        }
    }
}
