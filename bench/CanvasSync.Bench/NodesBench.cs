using System.Diagnostics;
using System.Globalization;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using CanvasSync.Hosting;
using CanvasSync.Security;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Bench;

/// <summary>
/// Delta syncs per second for many campus connections on one worker node and then on two (issue #10), with how
/// stale the stalest connection gets. The sandbox and each node run in processes of their own; this process only
/// seeds users and connections and plays the scheduler (the recurring job's own code), on an empty PostgreSQL.
/// Every connection is backfilled first. Then, for each node count: once all connections are past
/// Sync:StaleAfterMinutes (1 here) and a few deltas have warmed the fresh nodes up, one scheduler round queues the
/// rest and the nodes drain the queue.
/// </summary>
internal static class NodesBench
{
    public sealed record Settings(string Db, int Connections, int[] NodeCounts, int Workers, int LatencyMs, int CostMs,
        bool RestOnly = false);

    public static async Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        if (!DatabaseTarget.TryParse(s.Db, out var target, out var error) || target!.Provider != DatabaseProvider.Postgres)
        {
            Console.Error.WriteLine($"canvas-sync: --db must be an empty PostgreSQL database ({error ?? "SQLite is one node"})");
            return 2;
        }

        var masterKey = Path.Combine(Path.GetTempPath(), $"canvas-sync-bench-{Guid.NewGuid():N}.key");
        string[] common = [$"--Security:MasterKeyFile={masterKey}", "--Canvas:AllowPrivateNetwork=true", "--Canvas:AllowHttp=true"];
        try
        {
            await using var sandbox =
                await ChildSandbox.StartAsync(["--profile", "campus", "--campus-students", Text(s.Connections), "--campus-courses", "30",
                "--latency-ms", Text(s.LatencyMs), "--cost-ms", Text(s.CostMs), "--throttle", "canvas"], ct);
            // This process queues jobs and runs none (role web); it is never started, only its services are used.
            await using var app = CanvasSyncWebApp.Build([.. common, "--Node:Role=web", "--Sync:BatchSize=100000",
                "--Sync:MaxQueuedRuns=1000000",
                "--Sync:StaleAfterMinutes=1", "--Logging:LogLevel:Default=Warning",
                    "--Logging:LogLevel:Microsoft.EntityFrameworkCore=None"], s.Db);
            await app.PrepareAsync(ct);
            var scheduler = app.Services.GetRequiredService<SyncScheduler>();
            await SeedAsync(app.Services, sandbox, s.Connections, ct);
            using var http = new HttpClient();
            if (s.RestOnly) (await http.PostAsync(sandbox.BaseUrl + "/_sandbox/settings", Json("""{"graphql":"not_found"}"""),
                ct)).EnsureSuccessStatusCode();
            Console.WriteLine(Line($"bench nodes: {s.Connections} campus connections, {s.Workers} sync workers per node, sandbox latency {s.LatencyMs} ms, cost {s.CostMs} ms, PostgreSQL, GraphQL {(s.RestOnly ? "refused" : "served")}; on {Environment.ProcessorCount} cores"));

            var backfilled = false;
            foreach (var count in s.NodeCounts)
            {
                var nodes = new List<ChildNode>();
                try
                {
                    for (var i = 0; i < count; i++) nodes.Add(await ChildNode.StartAsync($"bench-{i + 1}", s.Db, common, s.Workers, ct));
                    if (!backfilled)
                    {
                        var full = await RoundAsync(target, scheduler, SyncType.Full, ct);
                        Console.WriteLine(Line($"  backfill on {count} node(s): {full.Runs} full syncs in {full.Seconds:F1} s = {full.Runs / full.Seconds:F1}/s"));
                        backfilled = true;
                    }

                    await WaitUntilAllStaleAsync(target, ct);
                    // Fresh node processes compile their sync paths on first use: a few deltas first, not measured.
                    await WarmUpAsync(target, scheduler, count * s.Workers * 2, ct);
                    (await http.PostAsync(sandbox.BaseUrl + "/_sandbox/stats/reset", Json("{}"), ct)).EnsureSuccessStatusCode();
                    var delta = await RoundAsync(target, scheduler, SyncType.Delta, ct);
                    using var stats = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(sandbox.BaseUrl + "/_sandbox/stats",
                        ct));
                    var canvasMs = 1000 * stats.RootElement.GetProperty("cost_seconds").GetDouble() / Math.Max(1, delta.Runs);
                    Console.WriteLine(Line($"  {count} node(s): {delta.Runs} deltas in {delta.Seconds:F1} s = {delta.Runs / delta.Seconds:F1} deltas/s; queued in one round in {delta.QueueSeconds * 1000:F0} ms"));
                    Console.WriteLine(Line($"    {delta.Requests / (double)Math.Max(1, delta.Runs):F1} requests and {canvasMs:F1} ms of Canvas time per delta"));
                    Console.WriteLine(Line($"    stalest connection {delta.StalestAtStart:F0} s old when queued, {delta.StalestPeak:F0} s at worst; {delta.Failed} not completed; runs per node {string.Join(", ", delta.PerNode.Select(kv => $"{kv.Key} {kv.Value}"))}"));
                }
                finally
                {
                    foreach (var node in nodes) await node.DisposeAsync();
                }
            }

            return 0;
        }
        finally
        {
            File.Delete(masterKey);
        }
    }

    /// <summary>A user and a connection per campus token, with the token encrypted as connecting would store it.</summary>
    private static async Task SeedAsync(IServiceProvider services, ChildSandbox sandbox, int count, CancellationToken ct)
    {
        var vault = services.GetRequiredService<TokenVault>();
        var database = services.GetRequiredService<DatabaseTarget>();
        var tokens = sandbox.Tokens.GetProperty("campus").EnumerateArray().Select(t => t.GetString()!).Take(count).ToList();
        var now = DateTime.UtcNow;
        await using var db = database.CreateContext();
        var users = tokens.Select((_, i) => new User { Name = $"campus-{i}", CreatedAt = now }).ToList();
        db.Users.AddRange(users);
        await db.SaveChangesAsync(ct);
        db.Connections.AddRange(users.Select((u, i) => new CanvasConnection
        {
            UserId = u.Id,
            BaseUrl = sandbox.BaseUrl,
            EncryptedToken = vault.Protect(u.Id, tokens[i]),
            TokenStoredAt = now,
            Status = ConnectionStatus.Ok,
            CreatedAt = now,
            UpdatedAt = now,
        }));
        await db.SaveChangesAsync(ct);
    }

    private sealed record Round(int Runs, double Seconds, double QueueSeconds, double StalestAtStart, double StalestPeak, int Failed,
        Dictionary<string, int> PerNode,
        long Requests);

    /// <summary>One scheduler round (every due connection), then the nodes drain it; the stalest age is sampled each second.</summary>
    private static async Task<Round> RoundAsync(DatabaseTarget target, SyncScheduler scheduler, SyncType expected, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var stalestAtStart = await StalestAgeAsync(target, ct);
        var firstRun = await NextRunIdAsync(target, ct);
        var queued = await scheduler.EnqueueStaleAsync(ct);
        var queueSeconds = clock.Elapsed.TotalSeconds;
        var peak = stalestAtStart;
        while (true)
        {
            await Task.Delay(1000, ct);
            peak = Math.Max(peak, await StalestAgeAsync(target, ct));
            await using var db = target.CreateContext();
            if (!await db.SyncRuns.Unfinished().AnyAsync(r => r.Id >= firstRun, ct)) break;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await using var done = target.CreateContext();
        var runs = await done.SyncRuns.AsNoTracking().Where(r => r.Id >= firstRun).Select(r => new { r.Status, r.Type, r.Node, r.Requests })
            .ToListAsync(ct);
        var failed = runs.Count(r => r.Status != SyncStatus.Completed || r.Type != expected);
        return new Round(queued, seconds, queueSeconds, stalestAtStart, peak, failed,
            runs.GroupBy(r => r.Node ?? "-").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
                runs.Sum(r => r.Requests));
    }

    private static async Task WarmUpAsync(DatabaseTarget target, SyncScheduler scheduler, int count, CancellationToken ct)
    {
        List<long> ids;
        await using (var db = target.CreateContext())
            ids = await db.Connections.AsNoTracking().OrderBy(c => c.Id).Select(c => c.Id).Take(count).ToListAsync(ct);
        var first = await NextRunIdAsync(target, ct);
        foreach (var id in ids) await scheduler.EnqueueAsync(id, new SyncRequest(SyncType.Delta, new SyncScope()), ct);
        while (true)
        {
            await Task.Delay(500, ct);
            await using var db = target.CreateContext();
            if (!await db.SyncRuns.Unfinished().AnyAsync(r => r.Id >= first, ct)) return;
        }
    }

    /// <summary>How old the stalest connection's data is: now less the start of its last complete sync (or its creation).</summary>
    private static async Task<double> StalestAgeAsync(DatabaseTarget target, CancellationToken ct)
    {
        await using var db = target.CreateContext();
        var oldest = await db.Connections.AsNoTracking()
            .Select(c => c.LastDeltaAt > c.LastFullSyncAt ? c.LastDeltaAt : c.LastFullSyncAt ?? c.CreatedAt).MinAsync(ct);
        return (DateTime.UtcNow - (oldest ?? DateTime.UtcNow)).TotalSeconds;
    }

    private static async Task<long> NextRunIdAsync(DatabaseTarget target, CancellationToken ct)
    {
        await using var db = target.CreateContext();
        return (await db.SyncRuns.MaxAsync(r => (long?)r.Id, ct) ?? 0) + 1;
    }

    /// <summary>Waits until every connection's last complete sync is older than Sync:StaleAfterMinutes (1), so one round takes them
    /// all.</summary>
    private static async Task WaitUntilAllStaleAsync(DatabaseTarget target, CancellationToken ct)
    {
        await using var db = target.CreateContext();
        var newest = await db.Connections.AsNoTracking()
            .MaxAsync(c => c.LastDeltaAt > c.LastFullSyncAt ? c.LastDeltaAt : c.LastFullSyncAt, ct);
        var wait = (newest ?? DateTime.UtcNow) + TimeSpan.FromSeconds(61) - DateTime.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
    }

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Line(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
