using System.Diagnostics;
using System.Globalization;
using CanvasSync.Cli.Common;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Bench;

/// <summary>
/// A full sync of a sandbox Canvas into a database, then a delta with nothing changed (issue #4): requests against the
/// minimum, wall time against the ideal minimum x (latency + cost) / 11, peak RSS, rows written per second and the
/// CPU CanvasSync spends per 10k rows. The sandbox runs in another process, so CPU and memory are CanvasSync's own.
/// </summary>
internal static class SyncBench
{
    public static async Task<int> RunAsync(string profile, string? db, int latencyMs, int costMs, CancellationToken ct)
    {
        var sqliteFile = db is null ? Path.Combine(Path.GetTempPath(), $"canvas-sync-bench-{Guid.NewGuid():N}.db") : null;
        db ??= "sqlite:" + sqliteFile;
        try
        {
            await using var sandbox = await ChildSandbox.StartAsync(
                ["--profile", profile, "--latency-ms", latencyMs.ToString(CultureInfo.InvariantCulture), "--cost-ms",
                    costMs.ToString(CultureInfo.InvariantCulture), "--throttle", "canvas"], ct);
            var token = sandbox.Tokens.GetProperty("teacher").GetString()!;
            var minimum = (await sandbox.TruthSummaryAsync(token, ct)).GetProperty("min_requests").GetInt64();

            using var host = await CliServices.StartAsync(db, ct);
            var database = host.Services.GetRequiredService<DatabaseTarget>();
            var engine = host.Services.GetRequiredService<SyncEngine>();
            var connectionId = await OperatorConnections.EnsureAsync(new CanvasSyncContexts(database), new Uri(sandbox.BaseUrl),
                TimeProvider.System, ct);

            var me = Process.GetCurrentProcess();
            var cpu0 = me.TotalProcessorTime;
            var full = await engine.RunAsync(connectionId, token, new SyncRequest(SyncType.Full, new SyncScope()), cancellationToken: ct);
            me.Refresh();
            var cpu = me.TotalProcessorTime - cpu0;
            var peak = me.PeakWorkingSet64;
            var rows = full.Counts.Values.Sum(c => c.Created + c.Updated);
            var delta = await engine.RunAsync(connectionId, token, new SyncRequest(SyncType.Delta, new SyncScope()), cancellationToken: ct);
            var ideal = minimum * (latencyMs + costMs) / 1000.0 / 11;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                bench sync: {profile} profile as teacher into {database}, sandbox latency {latencyMs} ms, cost {costMs} ms, Canvas throttle
                  full sync       {full.Status}: {full.Duration.TotalSeconds:F2} s vs ideal {ideal:F2} s = {full.Duration.TotalSeconds / ideal:F2} x
                  requests        {full.Requests} vs minimum {minimum} = {full.Requests / (double)minimum:F3} x; throttled {full.Throttled}
                  rows written    {rows} ({rows / full.Duration.TotalSeconds:F0} rows/s over the whole sync)
                  CPU             {cpu.TotalSeconds:F2} s = {cpu.TotalMilliseconds / (rows / 10_000.0):F0} ms per 10k rows
                  peak RSS        {peak / 1048576.0:F0} MB
                  delta, nothing changed: {delta.Status}, {delta.Requests} requests = {100.0 * delta.Requests / full.Requests:F1}% of the full sync's, {delta.Throttled} throttled, {delta.Duration.TotalSeconds:F2} s, {delta.Counts.Values.Sum(c => c.Created + c.Updated + c.Deleted)} rows written
                """));
            return full.Status == SyncStatus.Completed && delta.Status == SyncStatus.Completed ? 0 : 1;
        }
        finally
        {
            if (sqliteFile is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var f in new[] { sqliteFile, sqliteFile + "-wal", sqliteFile + "-shm" }) File.Delete(f);
            }
        }
    }
}
