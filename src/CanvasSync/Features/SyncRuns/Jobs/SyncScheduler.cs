using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.SyncRuns.Jobs;

/// <summary>
/// Puts syncs on the job queue: on demand (<see cref="EnqueueAsync"/>), for stale connections on a schedule, and for
/// runs left unfinished when the service stopped. Every path records a queued run first, so a second trigger finds it.
/// </summary>
public sealed partial class SyncScheduler(SyncEngine engine, IBackgroundJobClient jobs, DatabaseTarget database, IOptions<SyncOptions> options,
    TimeProvider time, ILogger<SyncScheduler> logger)
{
    public const string RecurringJobId = "enqueue-stale-syncs";

    /// <summary>Queues a sync of the connection, or answers with the one already queued or running.</summary>
    public async Task<(long RunId, bool Existing)> EnqueueAsync(long connectionId, SyncRequest request, CancellationToken ct)
    {
        var (runId, existing) = await engine.QueueAsync(connectionId, request, ct);
        if (!existing) jobs.Enqueue<SyncJob>(j => j.RunAsync(connectionId, runId, CancellationToken.None));
        return (runId, existing);
    }

    /// <summary>
    /// The recurring job: the connections with a usable token whose last complete sync is older than
    /// Sync:StaleAfterMinutes (or that never had one), oldest first, at most Sync:BatchSize per round, each queued
    /// as a delta (a full sync when there is nothing to start a delta from).
    /// </summary>
    public async Task<int> EnqueueStaleAsync(CancellationToken ct)
    {
        var o = options.Value;
        var staleBefore = time.GetUtcNow().UtcDateTime.AddMinutes(-o.StaleAfterMinutes);
        List<long> due;
        await using (var db = database.CreateContext())
        {
            due = await db.Connections.AsNoTracking().Syncable()
                // Stale: the newest complete sync (full or delta) is older than the threshold, or there is none.
                .Where(c => (c.LastFullSyncAt == null || c.LastFullSyncAt < staleBefore) && (c.LastDeltaAt == null || c.LastDeltaAt < staleBefore))
                .Where(c => !db.SyncRuns.Any(r => r.ConnectionId == c.Id && (r.Status == SyncStatus.Queued || r.Status == SyncStatus.Running)))
                .OrderBy(c => c.LastDeltaAt ?? c.LastFullSyncAt ?? DateTime.MinValue).ThenBy(c => c.Id)
                .Select(c => c.Id).Take(o.BatchSize).ToListAsync(ct);
        }

        var queued = 0;
        foreach (var connectionId in due)
            if (!(await EnqueueAsync(connectionId, new SyncRequest(SyncType.Delta, new SyncScope()), ct)).Existing) queued++;
        if (queued > 0) LogQueuedStale(logger, queued);
        return queued;
    }

    /// <summary>At start-up: every run nobody is working on goes back on the queue, to resume from its checkpoints.</summary>
    public async Task<int> ResumeOrphanedRunsAsync(CancellationToken ct)
    {
        var orphans = await engine.OrphanedRunsAsync(ct);
        foreach (var (runId, connectionId) in orphans) jobs.Enqueue<SyncJob>(j => j.RunAsync(connectionId, runId, CancellationToken.None));
        if (orphans.Count > 0) LogResumed(logger, orphans.Count);
        return orphans.Count;
    }

    /// <summary>Sync:ScheduleEveryMinutes as cron: every N minutes within the hour, or every N/60 hours on the hour.</summary>
    public static string Cron(int everyMinutes) => everyMinutes < 60 ? $"*/{everyMinutes} * * * *" : $"0 */{Math.Max(1, everyMinutes / 60)} * * *";

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued {Count} stale connections for a delta sync")]
    private static partial void LogQueuedStale(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {Count} sync runs left unfinished")]
    private static partial void LogResumed(ILogger logger, int count);
}
