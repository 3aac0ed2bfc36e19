using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Monitoring;

/// <summary>One reason health is not "healthy": a code to match on, how bad, and a sentence for people.</summary>
internal sealed record HealthReason(string Code, string Severity, string Message);

/// <summary>GET metrics/health.</summary>
internal sealed record HealthReport(string Status, IReadOnlyList<HealthReason> Reasons, DateTime CheckedAt, int WindowHours,
    int RunsInWindow,
    double? FailureRate, int StuckRuns, int ConnectionsNeedingReauth, int StaleConnections);

/// <summary>
/// Whether syncs are healthy, and why not: the failure rate over the window, runs nobody is working on, connections
/// whose token died, and usable connections whose data has gone stale. Unhealthy beats degraded beats healthy.
/// </summary>
internal static class SyncHealth
{
    public static async Task<HealthReport> CheckAsync(CanvasSyncDbContext db, long? userId, MonitoringOptions o, TimeSpan lease,
        DateTime now, CancellationToken ct)
    {
        var runs = await RunRecords.FactsAsync(db, userId, now.AddHours(-o.HealthWindowHours), ct);
        var failureRate = MetricsFigures.SuccessRate(runs) is { } success ? Math.Round(1 - success, 4) : (double?)null;

        var heartbeatBefore = now - lease;
        var queuedBefore = now.AddMinutes(-o.StuckQueuedMinutes);
        var stuck = await RunRecords.OfUser(db, db.SyncRuns.AsNoTracking(), userId)
            .CountAsync(r => (r.Status == SyncStatus.Running && (r.HeartbeatAt == null || r.HeartbeatAt < heartbeatBefore))
                || (r.Status == SyncStatus.Queued && r.QueuedAt < queuedBefore), ct);

        var connections = db.Connections.AsNoTracking().Where(c => userId == null || c.UserId == userId);
        var needsReauth = await connections.CountAsync(c => c.Status == ConnectionStatus.NeedsReauth, ct);
        var staleBefore = now.AddHours(-o.StaleDataHours);
        var stale = await connections.Syncable()
            .CountAsync(c => (c.LastFullSyncAt ?? c.CreatedAt) < staleBefore && (c.LastDeltaAt == null || c.LastDeltaAt < staleBefore), ct);

        var reasons = new List<HealthReason>();
        if (failureRate is { } rate && rate >= o.DegradedFailureRate)
            reasons.Add(new("failure_rate", rate >= o.UnhealthyFailureRate ? "unhealthy" : "degraded",
                $"{rate:P0} of the {runs.Count} syncs in the last {o.HealthWindowHours} h failed"));
        if (stuck > 0)
            reasons.Add(new("stuck_runs",
                "degraded", $"{stuck} sync(s) queued over {o.StuckQueuedMinutes} min or running without a sign of life"));
        if (needsReauth > 0)
            reasons.Add(new("needs_reauth", "degraded", $"{needsReauth} connection(s) need a new Canvas token"));
        if (stale > 0)
            reasons.Add(new("stale_data", "degraded", $"{stale} connection(s) have had no complete sync for {o.StaleDataHours} h"));

        var status = reasons.Any(x => x.Severity == "unhealthy") ? "unhealthy" : reasons.Count > 0 ? "degraded" : "healthy";
        return new HealthReport(status, reasons, now, o.HealthWindowHours, runs.Count, failureRate, stuck, needsReauth, stale);
    }
}
