using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CanvasSync.Bench;

/// <summary>
/// How many 100-item pages per second the sandbox serves at zero latency, throttle off (issue #2 target: at least
/// 500/s, so that it never limits the sync benchmarks). Workers walk the bookmark-paged submissions of the
/// instructor profile's courses, following rel="next" as a client would.
/// </summary>
internal static partial class SandboxBench
{
    [GeneratedRegex("<([^>]+)>; rel=\"next\"")]
    private static partial Regex NextLink();

    public static async Task<int> RunAsync(int seconds, int concurrency, CancellationToken ct)
    {
        await using var sandbox = await ChildSandbox.StartAsync(["--profile", "instructor", "--throttle", "off"], ct);
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl) };
        http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", sandbox.Tokens.GetProperty("teacher").GetString());

        var courses = await CourseIdsAsync(http, ct);
        var startUrls = courses.Select(id => $"/api/v1/courses/{id}/students/submissions?student_ids[]=all&per_page=100").ToArray();
        // Warm up (JIT, connection pool) before measuring.
        await DriveAsync(http, startUrls, concurrency, TimeSpan.FromSeconds(2), ct);

        var cpuBefore = sandbox.CpuTime;
        var result = await DriveAsync(http, startUrls, concurrency, TimeSpan.FromSeconds(seconds), ct);
        var cpu = sandbox.CpuTime - cpuBefore;

        var latencies = result.Latencies.Order().ToArray();
        double Percentile(double p) => latencies.Length == 0 ? 0 : latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))];
        var rps = result.Requests / result.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            bench sandbox: instructor profile, students/submissions pages of 100, throttle off, latency 0, {concurrency} in flight, {seconds} s
              requests        {result.Requests} ({result.Errors} failed)
              requests/s      {rps:F0}
              items/s         {result.Items / result.Elapsed.TotalSeconds:F0}
              MB/s            {result.Bytes / result.Elapsed.TotalSeconds / 1e6:F1}
              latency p50/p99 {Percentile(0.50):F2} / {Percentile(0.99):F2} ms
              sandbox CPU     {cpu.TotalSeconds / result.Elapsed.TotalSeconds * 100:F0}% of one core ({cpu.TotalMilliseconds / Math.Max(1, result.Requests):F2} ms per request)
              sandbox peak RSS {sandbox.PeakWorkingSet / 1048576.0:F0} MB
            """));
        return result.Errors == 0 ? 0 : 1;
    }

    private static async Task<long[]> CourseIdsAsync(HttpClient http, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/api/v1/courses?per_page=100", ct));
        return doc.RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToArray();
    }

    private sealed record Result(long Requests, long Errors, long Items, long Bytes, TimeSpan Elapsed, List<double> Latencies);

    private static async Task<Result> DriveAsync(HttpClient http, string[] startUrls, int concurrency, TimeSpan duration,
        CancellationToken ct)
    {
        long requests = 0, errors = 0, items = 0, bytes = 0;
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var local = new List<double>();
            var next = startUrls[worker % startUrls.Length];
            var course = worker;
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(next, ct);
                var body = await response.Content.ReadAsByteArrayAsync(ct);
                local.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref requests);
                Interlocked.Add(ref bytes, body.Length);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                    next = startUrls[++course % startUrls.Length];
                    continue;
                }

                using (var doc = JsonDocument.Parse(body)) Interlocked.Add(ref items, doc.RootElement.GetArrayLength());
                var link = response.Headers.TryGetValues("Link", out var values) ? string.Join(',', values) : "";
                var m = NextLink().Match(link);
                next = m.Success ? m.Groups[1].Value : startUrls[++course % startUrls.Length];
            }

            lock (latencies) latencies.AddRange(local);
        }));
        return new Result(requests, errors, items, bytes, clock.Elapsed, latencies);
    }
}
