using System.Globalization;
using System.Text;
using CanvasSync.Data;
using CanvasSync.Features.SyncRuns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.Monitoring.Alerts;

/// <summary>The alert jobs: one alert to one channel, and the weekly report. Thin: they read, compose and send.</summary>
internal sealed partial class AlertJobs(IDbContextFactory<CanvasSyncDbContext> contexts, AlertChannels channels,
    IOptions<MonitoringOptions> options, TimeProvider time,
    ILogger<AlertJobs> logger)
{
    public const string WeeklyReportJobId = "weekly-sync-report";

    public async Task DeliverAsync(long alertId, string channel, CancellationToken ct)
    {
        AlertMessage message;
        await using (var db = contexts.CreateDbContext())
        {
            var alert = await db.SentAlerts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == alertId, ct);
            var run = alert is null ? null : await db.SyncRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == alert.RunId, ct);
            var about = run is null ? null : await db.Connections.AsNoTracking().Where(c => c.Id == run.ConnectionId)
                .Join(db.Users, c => c.UserId, u => u.Id, (c, u) => new { u.Name, c.BaseUrl }).FirstOrDefaultAsync(ct);
            if (run is null || about is null) return; // purged since (retention, or the user disconnected with purge)
            message = RunAlert(run, about.Name, new Uri(about.BaseUrl).Host, options.Value.Alerts.CooldownMinutes);
        }

        await channels.SendAsync(channel, message, ct);
        LogDelivered(logger, alertId, channel);
    }

    /// <summary>The recurring report: the last seven days' summary and failures, by e-mail (to Monitoring:Alerts:Email:To).</summary>
    public async Task WeeklyReportAsync(CancellationToken ct)
    {
        if (!channels.Configured.Contains(AlertChannels.Email)) return;
        var now = time.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-7);
        await using var db = contexts.CreateDbContext();
        var summary = MetricsFigures.Summary(7, since, await RunRecords.FactsAsync(db, null, since, ct));
        var failures = await RunRecords.Failures(RunRecords.Ended(db, null, since))
            .OrderByDescending(r => r.FinishedAt).Take(50)
            .Join(db.Connections, r => r.ConnectionId, c => c.Id, (r, c) => new { Run = r, c.UserId })
            .Join(db.Users, x => x.UserId, u => u.Id, (x, u) => new { x.Run, u.Name })
            .ToListAsync(ct);
        await channels.SendAsync(AlertChannels.Email, WeeklyReport(summary, failures.Select(f => (f.Run, f.Name)).ToList(), now), ct);
        LogReportSent(logger, summary.TotalSyncs);
    }

    internal static AlertMessage RunAlert(SyncRun run, string userName, string canvasHost, int cooldownMinutes)
    {
        var needsReauth = run.Status == SyncStatus.NeedsReauth;
        var subject = needsReauth
            ? $"[CanvasSync] {userName}'s Canvas token no longer works" : $"[CanvasSync] A sync for {userName} failed";
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Sync run {run.Id} ({Word(run.Type)}) of {userName}'s connection to {canvasHost} ended {Word(run.Status)} at {run.FinishedAt:yyyy-MM-dd HH:mm} UTC.")
            .AppendLine(CultureInfo.InvariantCulture, $"Error: {run.ErrorCode}: {run.ErrorMessage}")
            .AppendLine(needsReauth
                ? $"What to do: {userName} connects Canvas again with a new token. Syncs of this connection wait until then; its data is kept."
                : "What to do: see GET /api/v1/metrics/failed for the details. A retry resumes the run from its checkpoints.")
            .AppendLine(CultureInfo.InvariantCulture, $"Alerts of this kind for this connection are held for {cooldownMinutes} minutes.");
        return new AlertMessage(subject, text.ToString());
    }

    internal static AlertMessage WeeklyReport(MetricsSummary s, IReadOnlyList<(SyncRun Run, string UserName)> failures, DateTime now)
    {
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"CanvasSync, the week to {now:yyyy-MM-dd HH:mm} UTC")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Syncs: {s.TotalSyncs} ({s.Succeeded} succeeded, {s.Failed} failed, {s.Cancelled} cancelled)")
            .AppendLine(CultureInfo.InvariantCulture, $"Success rate: {(s.SuccessRate is { } rate ? (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "no syncs")}")
            .AppendLine(CultureInfo.InvariantCulture, $"Duration: average {Seconds(s.AverageDurationSeconds)}, p95 {Seconds(s.P95DurationSeconds)}")
            .AppendLine(CultureInfo.InvariantCulture, $"Items synced: {s.ItemsSynced}")
            .AppendLine()
            .AppendLine(failures.Count == 0 ? "No failures."
                : $"Failures ({failures.Count}{(failures.Count == 50 ? ", the newest 50" : "")}):");
        foreach (var (run, user) in failures)
            text.AppendLine(CultureInfo.InvariantCulture, $"- {run.FinishedAt:yyyy-MM-dd HH:mm} run {run.Id} of {user}: {Word(run.Status)}, {run.ErrorCode}: {run.ErrorMessage}");
        return new AlertMessage($"[CanvasSync] Weekly report: {s.TotalSyncs} syncs, {s.Failed} failed", text.ToString());
    }

    private static string Word<T>(T value) where T : struct, Enum => SnakeCase.From(value.ToString());

    private static string Seconds(double? s) => s is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "-";

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {AlertId} delivered by {Channel}")]
    private static partial void LogDelivered(ILogger logger, long alertId, string channel);

    [LoggerMessage(Level = LogLevel.Information, Message = "Weekly report sent ({Syncs} syncs)")]
    private static partial void LogReportSent(ILogger logger, int syncs);
}
