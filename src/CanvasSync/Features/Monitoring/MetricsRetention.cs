using CanvasSync.Data;
using CanvasSync.Features.SyncRuns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.Monitoring;

/// <summary>
/// The daily job that keeps metrics to Monitoring:RetentionDays: finished runs older than that go (their counts and
/// checkpoints with them), and so do old alert records. Unfinished runs stay whatever their age: they are work.
/// </summary>
internal sealed partial class MetricsRetention(IDbContextFactory<CanvasSyncDbContext> contexts, IOptions<MonitoringOptions> options,
    TimeProvider time, ILogger<MetricsRetention> logger)
{
    public const string JobId = "metrics-retention";

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var before = time.GetUtcNow().UtcDateTime.AddDays(-options.Value.RetentionDays);
        await using var db = contexts.CreateDbContext();
        var runs = await db.SyncRuns.Where(r => r.FinishedAt < before && r.Status != SyncStatus.Queued && r.Status != SyncStatus.Running)
            .ExecuteDeleteAsync(ct);
        var alerts = await db.SentAlerts.Where(a => a.SentAt < before).ExecuteDeleteAsync(ct);
        LogDeleted(logger, runs, alerts, options.Value.RetentionDays);
        return runs;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Retention: deleted {Runs} sync runs and {Alerts} alert records older than {Days} days")]
    private static partial void LogDeleted(ILogger logger, int runs, int alerts, int days);
}
