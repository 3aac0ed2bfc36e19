using System.Diagnostics;
using System.Globalization;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Hosting;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Bench;

/// <summary>
/// How the metrics API and /metrics hold up under a long history (issue #7): a database is seeded with run records
/// (a mix of outcomes over 90 days, six entity counts each, spread over many connections), then each endpoint is
/// timed as an admin (everyone's runs) and as one user. Prints the median latency and the server's allocation per call.
/// </summary>
internal static class MetricsBench
{
    public sealed record Settings(string? Db, int Runs, int Connections, int Repeat);

    private static readonly string[] Entities = ["courses", "assignments", "submissions", "enrollments", "groups", "group_memberships"];

    public static async Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("canvas-sync-bench-metrics-");
        var db = s.Db ?? "sqlite:" + Path.Combine(work.FullName, "bench.db");
        try
        {
            await using var app = CanvasSyncWebApp.Build(["--Security:RequestsPerSecond=100000", "--Security:RequestBurst=1000000",
                $"--Security:MasterKeyFile={Path.Combine(work.FullName, "master.key")}", "--Sync:SchedulerEnabled=false",
                "--Monitoring:AnonymousMetrics=false", "--Logging:LogLevel:Default=Warning"], db, "http://127.0.0.1:0");
            await app.PrepareAsync(ct);
            await app.StartAsync(ct);

            var target = app.Services.GetRequiredService<DatabaseTarget>();
            var clock = Stopwatch.StartNew();
            var (admin, user) = await SeedAsync(target, s, ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                bench metrics: {s.Runs} runs (x{Entities.Length} entity counts) over 90 days, {s.Connections} connections, in {target}; seeded in {clock.Elapsed.TotalSeconds:F1} s
                  median of {s.Repeat} calls after one warm-up; {Environment.ProcessorCount} cores
                """));
            Console.WriteLine($"  {"endpoint",-44} {"admin (all)",12} {"alloc",10} {"one user",10} {"alloc",10}");

            string[] paths = ["/api/v1/metrics/health", "/api/v1/metrics/summary?days=90", "/api/v1/metrics/performance?days=90",
                "/api/v1/metrics/recent?limit=50", "/api/v1/metrics/failed?days=90&limit=50", "/metrics"];
            var url = new Uri(app.Urls.First());
            foreach (var path in paths)
            {
                var (adminMs, adminKb) = await TimeAsync(url, path, admin, s.Repeat, ct);
                var (userMs, userKb) = path == "/metrics" ? (double.NaN, double.NaN) : await TimeAsync(url, path, user, s.Repeat, ct);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  GET {path,-40} {adminMs,9:F1} ms {adminKb,7:F0} KB {userMs,7:F1} ms {userKb,7:F0} KB"));
            }

            await app.StopAsync(ct);
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }

    private static async Task<(double Ms, double Kb)> TimeAsync(Uri baseUrl, string path, string apiKey, int repeat, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = baseUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        (await http.GetAsync(path, ct)).EnsureSuccessStatusCode(); // warm-up
        var times = new List<double>();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < repeat; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(path, ct);
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadAsByteArrayAsync(ct);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        // The client's own allocations are a few KB per call beside the server's.
        return (times.Order().ElementAt(times.Count / 2), (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1024.0 / repeat);
    }

    /// <summary>Users with a connection each, and runs: 92% completed, 3% with errors, 3% failed, 1% needs_reauth, 1% cancelled.</summary>
    private static async Task<(string AdminKey, string UserKey)> SeedAsync(DatabaseTarget target, Settings s, CancellationToken ct)
    {
        var random = new Random(7);
        var now = DateTime.UtcNow;
        string adminKey, userKey;
        var connectionIds = new List<long>();
        await using (var db = target.CreateContext())
        {
            adminKey = (await UserDirectory.AddAsync(db, "bench-admin", isAdmin: true, now, ct)).ApiKey;
            var first = await UserDirectory.AddAsync(db, "bench-user-0", isAdmin: false, now, ct);
            userKey = first.ApiKey;
            var users = new List<User> { await db.Users.SingleAsync(u => u.Id == first.UserId, ct) };
            for (var i = 1; i < s.Connections; i++) users.Add(new User { Name = $"bench-user-{i}", CreatedAt = now });
            db.Users.AddRange(users.Skip(1));
            await db.SaveChangesAsync(ct);
            var connections = users.Select((u, i) => new CanvasConnection
            {
                UserId = u.Id,
                BaseUrl = "https://canvas.example.edu",
                CanvasUserId = 1000 + i,
                Status = i % 50 == 0 ? ConnectionStatus.NeedsReauth : ConnectionStatus.Ok,
                EncryptedToken = "not-a-token",
                CreatedAt = now.AddDays(-100),
                UpdatedAt = now,
                LastFullSyncAt = now.AddDays(-random.Next(0, 3)),
            }).ToList();
            db.Connections.AddRange(connections);
            await db.SaveChangesAsync(ct);
            connectionIds.AddRange(connections.Select(c => c.Id));
        }

        for (var done = 0; done < s.Runs; done += 5000)
        {
            await using var db = target.CreateContext();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = done; i < Math.Min(s.Runs, done + 5000); i++)
            {
                var finished = now.AddSeconds(-random.NextDouble() * 90 * 86400);
                var seconds = Math.Round(Math.Exp(random.NextDouble() * 6), 3); // 1 s to 400 s, most of them short
                var roll = random.Next(100);
                var status = roll < 92 ? SyncStatus.Completed : roll < 95 ? SyncStatus.CompletedWithErrors : roll < 98 ? SyncStatus.Failed
                    : roll < 99 ? SyncStatus.NeedsReauth : SyncStatus.Cancelled;
                var run = new SyncRun
                {
                    ConnectionId = connectionIds[i % connectionIds.Count],
                    Type = i % 10 == 0 ? SyncType.Full : SyncType.Delta,
                    Status = status,
                    QueuedAt = finished.AddSeconds(-seconds - 1),
                    StartedAt = finished.AddSeconds(-seconds),
                    FinishedAt = finished,
                    ActiveSeconds = seconds,
                    Requests = random.Next(5, 500),
                    Pages = random.Next(5, 500),
                    Bytes = random.Next(10_000, 5_000_000),
                    Percent = 100,
                    PhaseSecondsJson = "{\"connect\":0.1,\"courses\":0.5}",
                    ErrorCode = status is SyncStatus.Failed ? "canvas_error" : status is SyncStatus.NeedsReauth ? "token_revoked" : null,
                };
                foreach (var entity in Entities)
                    run.Counts.Add(new SyncRunCount
                    {
                        EntityType = entity,
                        Created = random.Next(0, 5),
                        Updated = random.Next(0, 20),
                        Unchanged = random.Next(0, 500)
                    });
                db.SyncRuns.Add(run);
            }

            await db.SaveChangesAsync(ct);
        }

        return (adminKey, userKey);
    }
}
