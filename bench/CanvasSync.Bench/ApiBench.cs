using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CanvasSync.Cli.Common;
using CanvasSync.Cli.Demo;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using CanvasSync.Hosting;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Bench;

/// <summary>
/// Read throughput of the API (issue #6): a sandbox's data is synced into a database, then wrk (another process)
/// drives GET canvas/assignments?limit=50 and, for comparison, a trivial endpoint of the same server in the same run.
/// Prints requests/s, latency percentiles and the server's CPU per request. The per-user rate limit is lifted for it.
/// </summary>
internal static partial class ApiBench
{
    public sealed record Settings(string Profile, string? Db, int Seconds, int Connections, int Threads, IReadOnlyList<string> ExtraPaths);

    [GeneratedRegex(@"Requests/sec:\s+(?<v>[\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+(?<p>50|75|90|99)%\s+(?<v>[\d.]+)(?<u>us|ms|s)\s*$", RegexOptions.Multiline)]
    private static partial Regex Percentile();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(?<v>\d+)")]
    private static partial Regex Failures();

    [GeneratedRegex(@"(?<v>\d+) requests in")]
    private static partial Regex Total();

    public static async Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        if (!File.Exists("/usr/bin/wrk"))
        {
            await Console.Error.WriteLineAsync("bench api drives load with wrk, which is not installed: apt-get install wrk");
            return CliRunner.Failure;
        }

        var work = Directory.CreateTempSubdirectory("canvas-sync-bench-api-");
        var db = s.Db ?? "sqlite:" + Path.Combine(work.FullName, "bench.db");
        try
        {
            await using var sandbox = await ChildSandbox.StartAsync(["--profile", s.Profile, "--latency-ms", "0", "--cost-ms", "0"], ct);
            await using var app = CanvasSyncWebApp.Build(["--Canvas:AllowPrivateNetwork=true", "--Canvas:AllowHttp=true",
                $"--Security:MasterKeyFile={Path.Combine(work.FullName, "master.key")}", "--Security:RequestsPerSecond=100000",
                    "--Security:RequestBurst=1000000",
                "--Sync:SchedulerEnabled=false", "--Logging:LogLevel:Default=Warning"], db, "http://127.0.0.1:0");
            await app.PrepareAsync(ct);
            await app.StartAsync(ct);
            var url = app.Urls.First();

            // Set up as a user would: a key, a connection through the API, a full sync as a background job.
            string apiKey;
            long userId;
            await using (var context = app.Services.GetRequiredService<DatabaseTarget>().CreateContext())
            {
                var issued = await UserDirectory.AddAsync(context, $"bench-{Guid.NewGuid():N}", isAdmin: false, DateTime.UtcNow, ct);
                (apiKey, userId) = (issued.ApiKey, issued.UserId);
            }

            using var http = new HttpClient { BaseAddress = new Uri(url) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
            using (var connect = await http.PostAsJsonAsync("/api/v1/canvas/connect",
                new { canvas_url = sandbox.BaseUrl, api_token = sandbox.Tokens.GetProperty("teacher").GetString() }, ct))
                if (!connect.IsSuccessStatusCode)
                    throw new IOException($"connecting the sandbox failed: {await connect.Content.ReadAsStringAsync(ct)}");
            long connectionId;
            await using (var context = app.Services.GetRequiredService<DatabaseTarget>().CreateContext())
                connectionId = await context.Connections.Where(c => c.UserId == userId).Select(c => c.Id).SingleAsync(ct);
            var (runId, _) = await app.Services.GetRequiredService<SyncScheduler>()
                .EnqueueAsync(connectionId, new SyncRequest(SyncType.Full, new SyncScope()), ct);
            var run = await DemoUser.WaitForRunAsync(app.Services, runId, ct);
            if (run.Status != SyncStatus.Completed) throw new IOException($"the setup sync ended {run.Status}");
            var assignments = run.Counts.Single(c => c.EntityType == "assignments").Created;

            (string Name, string Path, bool Authorized)[] targets =
            [
                ("trivial: GET /health/live", "/health/live", false),
                ("GET /api/v1/canvas/assignments?limit=50", "/api/v1/canvas/assignments?limit=50", true),
                .. s.ExtraPaths.Select(p => ("GET " + p, p, true)),
            ];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                bench api: {s.Profile} profile as teacher ({assignments} assignments) in {app.Services.GetRequiredService<DatabaseTarget>()}
                  wrk -t{s.Threads} -c{s.Connections} -d{s.Seconds}s --latency, after a 3 s warm-up of each endpoint; {Environment.ProcessorCount} cores shared by wrk and the server
                """));
            Console.WriteLine($"  {"endpoint",-42} {"req/s",9} {"p50",8} {"p90",8} {"p99",8} {"non-2xx",8} {"server CPU/req",15} {"alloc/req",13} {"GCs",6}");
            var me = Process.GetCurrentProcess();
            foreach (var target in targets)
            {
                var targetUrl = url + target.Path;
                await WrkAsync(s with { Seconds = 3 }, targetUrl, target.Authorized ? apiKey : null, ct);
                me.Refresh();
                var (cpu0, bytes0, gcs0) = (me.TotalProcessorTime, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0));
                var output = await WrkAsync(s, targetUrl, target.Authorized ? apiKey : null, ct);
                me.Refresh();
                var cpu = me.TotalProcessorTime - cpu0;
                var (bytes, gcs) = (GC.GetTotalAllocatedBytes() - bytes0, GC.CollectionCount(0) - gcs0);
                var total = long.Parse(Total().Match(output).Groups["v"].Value, CultureInfo.InvariantCulture);
                var p = Percentile().Matches(output).ToDictionary(m => m.Groups["p"].Value, m => Milliseconds(m));
                var failed = Failures().Match(output) is { Success: true } f ? f.Groups["v"].Value : "0";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {target.Name,-42} {double.Parse(RequestsPerSecond().Match(output).Groups["v"].Value, CultureInfo.InvariantCulture),9:F0} {p["50"],6:F2}ms {p["90"],6:F2}ms {p["99"],6:F2}ms {failed,8} {cpu.TotalMicroseconds / Math.Max(1, total),12:F0} µs {bytes / 1024.0 / Math.Max(1, total),10:F1} KB {gcs,6}"));
            }

            await app.StopAsync(ct); // before the sandbox and the database go
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }

    private static double Milliseconds(Match m)
    {
        var v = double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
        return m.Groups["u"].Value switch { "us" => v / 1000, "s" => v * 1000, _ => v };
    }

    private static async Task<string> WrkAsync(Settings s, string url, string? apiKey, CancellationToken ct)
    {
        var info = new ProcessStartInfo("/usr/bin/wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { $"-t{s.Threads}", $"-c{s.Connections}", $"-d{s.Seconds}s", "--latency" }) info.ArgumentList.Add(a);
        if (apiKey is not null)
        {
            info.ArgumentList.Add("-H");
            info.ArgumentList.Add($"Authorization: Bearer {apiKey}");
        }

        info.ArgumentList.Add(url);
        using var wrk = Process.Start(info)!;
        var output = await wrk.StandardOutput.ReadToEndAsync(ct);
        await wrk.WaitForExitAsync(ct);
        if (wrk.ExitCode != 0) throw new IOException($"wrk failed: {await wrk.StandardError.ReadToEndAsync(ct)}");
        return output;
    }
}
