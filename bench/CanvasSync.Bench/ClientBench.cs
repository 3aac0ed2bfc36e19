using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Cli.Common;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CanvasSync.Bench;

/// <summary>
/// Fetches everything a token can read from a sandbox Canvas, as a full sync drives the client (into a scratch SQLite
/// database), and compares with the sandbox's truth:
/// requests against the minimum, throttled responses, wall time against the ideal minimum x (latency + cost) / 11
/// (11 in flight is what Canvas's bucket allows), and peak memory (issue #3).
/// </summary>
internal static class ClientBench
{
    public sealed record Settings(string Profile, int Seed, int LatencyMs, int CostMs, double Faults, int ThrottleStatus, bool Sequential,
        string Who);

    public static async Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        await using var sandbox = await ChildSandbox.StartAsync(
        [
            "--profile", s.Profile, "--seed", s.Seed.ToString(CultureInfo.InvariantCulture), "--latency-ms",
                s.LatencyMs.ToString(CultureInfo.InvariantCulture),
            "--cost-ms", s.CostMs.ToString(CultureInfo.InvariantCulture), "--faults", s.Faults.ToString(CultureInfo.InvariantCulture),
            "--throttle", "canvas", "--throttle-status", s.ThrottleStatus.ToString(CultureInfo.InvariantCulture),
        ], ct);
        var token = sandbox.Tokens.GetProperty(s.Who).GetString()!;
        using var control = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl) };
        var summary = await sandbox.TruthSummaryAsync(token, ct);
        var truth = new Truth(summary.GetProperty("min_requests").GetInt64(),
            summary.GetProperty("counts").EnumerateObject().Where(p => p.Name is not ("terms" or "users"))
                .ToDictionary(p => p.Name, p => p.Value.GetInt64()));
        (await control.PostAsync("/_sandbox/stats/reset", null, ct)).EnsureSuccessStatusCode();

        // The client as a sync drives it: the engine reads every collection into a scratch database.
        var file = Path.Combine(Path.GetTempPath(), $"canvas-sync-bench-client-{Guid.NewGuid():N}.db");
        if (s.Sequential) Environment.SetEnvironmentVariable("CANVASSYNC__Canvas__MaxInFlightPerToken", "1");
        try
        {
            using var host = await CliServices.StartAsync("sqlite:" + file, ct);
            var database = host.Services.GetRequiredService<DatabaseTarget>();
            var connectionId = await OperatorConnections.EnsureAsync(new CanvasSyncContexts(database), new Uri(sandbox.BaseUrl),
                TimeProvider.System, ct);
            var engine = host.Services.GetRequiredService<SyncEngine>();

            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var result = await engine.RunAsync(connectionId, token, new SyncRequest(SyncType.Full, new SyncScope()), cancellationToken: ct);
            var wall = clock.Elapsed;
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var mirrored = await MirroredCountsAsync(database, connectionId, truth.Counts.Keys, ct);
            return await ReportAsync(s, control, database, truth, result, mirrored, wall, cpu, ct);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
        }
    }

    private static async Task<int> ReportAsync(Settings s, HttpClient control, DatabaseTarget database, Truth truth, SyncResult result,
        Dictionary<string, long> mirrored,
        TimeSpan wall, TimeSpan cpu, CancellationToken ct)
    {
        var stats = await control.GetFromJsonAsync<JsonElement>("/_sandbox/stats", ct);
        var ideal = truth.MinRequests * (s.LatencyMs + s.CostMs) / 1000.0 / 11;
        var missing = truth.Counts.Where(kv => mirrored.GetValueOrDefault(kv.Key) != kv.Value)
            .Select(kv => $"{kv.Key} {mirrored.GetValueOrDefault(kv.Key)}/{kv.Value}").ToList();
        var throttledShare = result.Requests == 0 ? 0 : 100.0 * result.Throttled / result.Requests;
        await using var db = database.CreateContext();
        var run = await db.SyncRuns.AsNoTracking().SingleAsync(r => r.Id == result.RunId, ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            bench client: {s.Profile} profile as {s.Who}, latency {s.LatencyMs} ms, cost {s.CostMs} ms, faults {s.Faults:0.##}, throttle status {s.ThrottleStatus}{(s.Sequential ? ", ONE REQUEST AT A TIME" : "")}
              requests        {run.Requests} vs minimum {truth.MinRequests} = {run.Requests / (double)truth.MinRequests:F3} x  (sandbox saw {stats.GetProperty("requests").GetInt64()})
              throttled       {run.Throttled} ({throttledShare:F2}% of requests)   retries {run.Retries}
              failed          {result.Errors.Count} collections{(result.Errors.Count > 0 ? ": " + string.Join("; ", result.Errors.Take(3)) : "")}; run {result.Status}
              wall time       {wall.TotalSeconds:F2} s vs ideal {ideal:F2} s = {wall.TotalSeconds / ideal:F2} x
              in flight       up to {MaxInFlight(stats)} at once (as the sandbox saw it)
              items           {run.Items} in {run.Pages} pages, {run.Bytes / 1e6:F1} MB; {(missing.Count == 0 ? "everything in the truth was mirrored" : "MISSING: " + string.Join(", ", missing))}
              peak RSS        {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB;  CPU {cpu.TotalSeconds:F2} s (the engine's writes included)
            """));
        return missing.Count == 0 && result.Status == SyncStatus.Completed ? 0 : 1;
    }

    private sealed record Truth(long MinRequests, Dictionary<string, long> Counts);

    private static long MaxInFlight(JsonElement stats) =>
        stats.GetProperty("max_in_flight").EnumerateObject().Select(p => p.Value.GetInt64()).DefaultIfEmpty().Max();

    /// <summary>Live rows per mirrored table; each truth count is named after its table.</summary>
    private static async Task<Dictionary<string, long>> MirroredCountsAsync(DatabaseTarget database, long connectionId,
        IEnumerable<string> tables, CancellationToken ct)
    {
        await using var connection = database.CreateConnection();
        await connection.OpenAsync(ct);
        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT COUNT(*) FROM {table} WHERE connection_id = {connectionId} AND deleted_at IS NULL";
            counts[table] = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }

        return counts;
    }
}
