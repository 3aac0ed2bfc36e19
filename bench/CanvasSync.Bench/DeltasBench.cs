using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using CanvasSync.Cli.Common;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Sandbox.Control;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Bench;

/// <summary>
/// What keeping a teacher's or a student's mirror exact costs (issues #21, #22): a full sync, a delta with nothing
/// changed, then one delta after each kind of change Canvas makes (docs/canvas.md §6), a slow lane, and a reconcile of
/// the whole. Each line is the delta's requests (against the full sync's), the Canvas time they cost (the sandbox's
/// X-Request-Cost, summed) and the rows it wrote; the reconcile's drift must be zero. --rest-only: a Canvas without
/// GraphQL.
/// </summary>
internal static class DeltasBench
{
    public static async Task<int> RunAsync(string profile, int latencyMs, string who, bool restOnly, CancellationToken ct)
    {
        var sqliteFile = Path.Combine(Path.GetTempPath(), $"canvas-sync-bench-{Guid.NewGuid():N}.db");
        try
        {
            await using var sandbox = await ChildSandbox.StartAsync(
                ["--profile", profile, "--latency-ms", latencyMs.ToString(CultureInfo.InvariantCulture), "--throttle", "canvas"], ct);
            var teacher = sandbox.Tokens.GetProperty("teacher").GetString()!;
            var token = sandbox.Tokens.GetProperty(who).GetString()!;
            using var host = await CliServices.StartAsync("sqlite:" + sqliteFile, ct);
            var engine = host.Services.GetRequiredService<SyncEngine>();
            var contexts = host.Services.GetRequiredService<IDbContextFactory<CanvasSyncDbContext>>();
            var connectionId = await OperatorConnections.EnsureAsync(contexts, new Uri(sandbox.BaseUrl), TimeProvider.System, ct);
            Task<SyncResult> Run(SyncType type, bool slowLane = false) =>
                engine.RunAsync(connectionId, token, new SyncRequest(type, new SyncScope(), SlowLane: slowLane), cancellationToken: ct);
            using var http = new HttpClient();
            if (restOnly) await PostAsync(http, sandbox.BaseUrl + "/_sandbox/settings", """{"graphql":"not_found"}""", ct);
            async Task<(SyncResult Result, double CanvasSeconds)> Measured(SyncType type, bool slowLane = false)
            {
                await PostAsync(http, sandbox.BaseUrl + "/_sandbox/stats/reset", "{}", ct);
                var result = await Run(type, slowLane);
                using var stats = JsonDocument.Parse(await http.GetStringAsync(sandbox.BaseUrl + "/_sandbox/stats", ct));
                return (result, stats.RootElement.GetProperty("cost_seconds").GetDouble());
            }

            var full = await Run(SyncType.Full);
            var ok = full.Status == SyncStatus.Completed;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bench deltas: {profile} profile as {who} into SQLite, sandbox latency {latencyMs} ms, Canvas throttle, GraphQL {(restOnly ? "refused (404)" : "served")}; full sync {full.Requests} requests"));
            Console.WriteLine($"  {"change",-28} {"requests",8} {"% of full",9} {"Canvas ms",9} {"rows written",12}");
            void Line(string what, (SyncResult Result, double CanvasSeconds) m)
            {
                var r = m.Result;
                ok &= r.Status == SyncStatus.Completed;
                var written = r.Counts.Where(c => c.Key is not ("tasks" or "teams"))
                    .Sum(c => c.Value.Created + c.Value.Updated + c.Value.Deleted);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {what,-28} {r.Requests,8} {100.0 * r.Requests / full.Requests,8:F1}% {1000 * m.CanvasSeconds,9:F1} {written,12}{(r.Status == SyncStatus.Completed ? "" : "  " + r.Status)}"));
            }

            Line("(nothing changed)", await Measured(SyncType.Delta));
            Line("reconcile, nothing changed", await Measured(SyncType.Reconcile));
            // The bulk change goes last: a delta looks 5 minutes back past the last sync (RunStart.DeltaOverlap), so here,
            // seconds apart, its 80,000 rows would be in the window of every delta after it.
            foreach (var change in SandboxChanges.SeenByDelta.OrderBy(c => c == "create_many"))
            {
                await SandboxChanges.MakeAsync(http, sandbox.BaseUrl, await TruthAsync(http, sandbox.BaseUrl, teacher, ct), change);
                Line(change, await Measured(SyncType.Delta));
            }

            Line("slow lane, no change", await Measured(SyncType.Delta, slowLane: true));
            foreach (var change in SandboxChanges.SeenBySlowLane)
            {
                await SandboxChanges.MakeAsync(http, sandbox.BaseUrl, await TruthAsync(http, sandbox.BaseUrl, teacher, ct), change);
                Line(change + " (slow lane)", await Measured(SyncType.Delta, slowLane: true));
            }

            var reconcile = await Measured(SyncType.Reconcile);
            Line("reconcile after them all", reconcile); // Canvas holds 400 more assignments now (create_many)
            var drift = reconcile.Result.Drift;
            Console.WriteLine($"  reconcile drift: {(drift.Count == 0 ? "none" : string.Join(", ", drift.Select(d => $"{d.EntityType}.{d.Field} x{d.RowCount}")))}");
            return ok && drift.Count == 0 ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { sqliteFile, sqliteFile + "-wal", sqliteFile + "-shm" }) File.Delete(f);
        }
    }

    private static async Task PostAsync(HttpClient http, string url, string json, CancellationToken ct)
    {
        using var response = await http.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), ct);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<JsonElement> TruthAsync(HttpClient http, string baseUrl, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/_sandbox/truth");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return doc.RootElement.Clone();
    }
}
