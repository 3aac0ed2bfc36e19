using CanvasSync.Data;
using CanvasSync.Features.SyncRuns;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.Monitoring.Alerts;

/// <summary>
/// A run that ended failed or needs_reauth raises an alert: recorded in sent_alerts, then one delivery job per
/// configured channel (retried on its own, so a Slack outage neither loses the e-mail nor sends it twice). Within
/// Monitoring:Alerts:CooldownMinutes of an alert, the same connection's alert of the same kind is only logged.
/// </summary>
internal sealed partial class SyncAlerts(IDbContextFactory<CanvasSyncDbContext> contexts, AlertChannels channels, IBackgroundJobClient jobs,
    IOptions<MonitoringOptions> options,
    TimeProvider time, ILogger<SyncAlerts> logger) : ISyncRunObserver
{
    public async Task RunEndedAsync(SyncRun run, CancellationToken ct)
    {
        var kind = run.Status switch { SyncStatus.Failed => "failed", SyncStatus.NeedsReauth => "needs_reauth", _ => null };
        var configured = channels.Configured;
        if (kind is null || configured.Count == 0) return;

        var now = time.GetUtcNow().UtcDateTime;
        var quietSince = now.AddMinutes(-options.Value.Alerts.CooldownMinutes);
        await using var db = contexts.CreateDbContext();
        // One run per connection at a time, so two alerts of one connection never race past this check.
        if (await db.SentAlerts.AnyAsync(a => a.ConnectionId == run.ConnectionId && a.Kind == kind && a.SentAt > quietSince, ct))
        {
            LogHeld(logger, kind, run.Id, run.ConnectionId);
            return;
        }

        var alert = new SentAlert { ConnectionId = run.ConnectionId, RunId = run.Id, Kind = kind, SentAt = now };
        db.SentAlerts.Add(alert);
        await db.SaveChangesAsync(ct);
        foreach (var channel in configured) jobs.Enqueue<AlertJobs>(j => j.DeliverAsync(alert.Id, channel, CancellationToken.None));
        LogRaised(logger, kind, run.Id, run.ConnectionId, string.Join(", ", configured));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Kind} for sync run {RunId} of connection {ConnectionId}, to {Channels}")]
    private static partial void LogRaised(ILogger logger, string kind, long runId, long connectionId, string channels);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Alert {Kind} for sync run {RunId} of connection {ConnectionId} held back: cool-down")]
    private static partial void LogHeld(ILogger logger, string kind, long runId, long connectionId);
}
