using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.SyncRuns.Jobs;

/// <summary>
/// Puts syncs on the job queue: on demand (<see cref="EnqueueAsync"/>), for stale connections on a schedule, for
/// runs whose node died, and for runs left unfinished when a one-node service stopped. Every path records a queued
/// run first, so a second trigger finds it. Syncs of connections known to be large go to a queue of their own
/// (<see cref="SyncJobsServiceCollectionExtensions.LargeQueue"/>), so they never take the workers small ones need.
/// </summary>
internal sealed partial class SyncScheduler(RunQueue queue, IBackgroundJobClient jobs, IDbContextFactory<CanvasSyncDbContext> contexts,
    IOptions<SyncOptions> options,
    TimeProvider time, ILogger<SyncScheduler> logger)
{
    public const string RecurringJobId = "enqueue-stale-syncs";

    /// <summary>Queues a sync of the connection, or answers with the one already queued or running.</summary>
    public async Task<(long RunId, bool Existing)> EnqueueAsync(long connectionId, SyncRequest request, CancellationToken ct)
    {
        var (runId, existing) = await queue.QueueAsync(connectionId, request, ct);
        if (!existing) await EnqueueJobsAsync([(runId, connectionId)], ct);
        return (runId, existing);
    }

    /// <summary>
    /// The recurring job: the connections with a usable token whose last complete sync is older than
    /// Sync:StaleAfterMinutes (or that never had one), oldest first, each queued as a delta (a full sync when there is
    /// nothing to start a delta from). A round queues at most Sync:BatchSize, and never more than keeps
    /// Sync:MaxQueuedRuns waiting: the queue holds what the workers can take, the rest waits for the next round,
    /// still oldest first. A connection due a reconcile (its last full read older than Sync:ReconcileEveryDays, or its
    /// last run leaving a collection unread) gets one the moment its delta completes (the job runs both), but
    /// reconciles take at most Sync:ReconcileShare of a round: the others get their delta and wait their turn.
    /// </summary>
    public async Task<int> EnqueueStaleAsync(CancellationToken ct)
    {
        var o = options.Value;
        var staleBefore = time.GetUtcNow().UtcDateTime.AddMinutes(-o.StaleAfterMinutes);
        List<long> due;
        HashSet<long> reconcile = [];
        await using (var db = contexts.CreateDbContext())
        {
            var waiting = await db.SyncRuns.CountAsync(r => r.Status == SyncStatus.Queued, ct);
            var room = Math.Min(o.BatchSize, o.MaxQueuedRuns - waiting);
            if (room <= 0) return 0;
            var unfinished = db.SyncRuns.Unfinished();
            due = await db.Connections.AsNoTracking().Syncable()
                // Stale: the newest complete sync (full or delta) is older than the threshold, or there is none.
                .Where(c => (c.LastFullSyncAt == null || c.LastFullSyncAt < staleBefore)
                    && (c.LastDeltaAt == null || c.LastDeltaAt < staleBefore))
                .Where(c => !unfinished.Any(r => r.ConnectionId == c.Id))
                .OrderBy(c => c.LastDeltaAt ?? c.LastFullSyncAt ?? DateTime.MinValue).ThenBy(c => c.Id)
                .Select(c => c.Id).Take(room).ToListAsync(ct);
            if (o.ReconcileEveryDays > 0 && due.Count > 0)
            {
                var reconcileBefore = time.GetUtcNow().UtcDateTime.AddDays(-o.ReconcileEveryDays);
                var places = Math.Max(1, (int)(due.Count * o.ReconcileShare));
                reconcile = [.. await db.Connections.AsNoTracking().Where(c => due.Contains(c.Id) && c.LastFullSyncAt != null)
                    .Where(c => c.LastFullSyncAt < reconcileBefore || c.LastErrorCode == RunFinish.CollectionsFailed)
                    .OrderBy(c => c.LastFullSyncAt).ThenBy(c => c.Id).Select(c => c.Id).Take(places).ToListAsync(ct)];
            }
        }

        if (due.Count == 0) return 0;
        var queued = await queue.QueueScheduledAsync(due, reconcile, ct);
        await EnqueueJobsAsync(queued.Select(q => (q.RunId, q.ConnectionId)).ToList(), ct);
        if (queued.Count > 0) LogQueuedStale(logger, queued.Count, reconcile.Count);
        return queued.Count;
    }

    /// <summary>Every few seconds on each worker node: runs whose node died are requeued, to resume from their checkpoints.</summary>
    public async Task<int> ReclaimAbandonedAsync(CancellationToken ct)
    {
        var requeued = await queue.RequeueAbandonedAsync(ct);
        await EnqueueJobsAsync(requeued, ct);
        if (requeued.Count > 0) LogReclaimed(logger, requeued.Count);
        return requeued.Count;
    }

    /// <summary>At start-up of a one-node service (its job queue is in memory): every run nobody is working on goes back on the
    /// queue.</summary>
    public async Task<int> ResumeOrphanedRunsAsync(CancellationToken ct)
    {
        var orphans = await queue.OrphanedRunsAsync(ct);
        await EnqueueJobsAsync(orphans, ct);
        if (orphans.Count > 0) LogResumed(logger, orphans.Count);
        return orphans.Count;
    }

    /// <summary>A job per run, on the large queue when the run's connection is known to be large.</summary>
    private async Task EnqueueJobsAsync(IReadOnlyCollection<(long RunId, long ConnectionId)> runs, CancellationToken ct)
    {
        if (runs.Count == 0) return;
        var large = await LargeRunsAsync(runs.Select(r => r.RunId).ToList(), ct);
        foreach (var (runId, connectionId) in runs)
        {
            var queue = large.Contains(runId) ? SyncJobsServiceCollectionExtensions.LargeQueue : Hangfire.States.EnqueuedState.DefaultQueue;
            jobs.Enqueue<SyncJob>(queue, j => j.RunAsync(connectionId, runId, CancellationToken.None));
        }
    }

    /// <summary>
    /// The runs whose connection is large: a complete run of the same type (and scope) once read Sync:LargeSyncItems
    /// items or more. A connection never synced is small until it proves otherwise.
    /// </summary>
    private async Task<HashSet<long>> LargeRunsAsync(List<long> runIds, CancellationToken ct)
    {
        var o = options.Value;
        if (o.LargeWorkers == 0) return [];
        await using var db = contexts.CreateDbContext();
        var large = await db.SyncRuns.AsNoTracking().Where(r => runIds.Contains(r.Id))
            .Where(r => db.SyncRuns.Any(p => p.ConnectionId == r.ConnectionId && p.Type == r.Type && p.ScopeJson == r.ScopeJson && !p.DryRun
                && p.Status == SyncStatus.Completed && p.ItemsDone >= o.LargeSyncItems))
            .Select(r => r.Id).ToListAsync(ct);
        return [.. large];
    }

    /// <summary>Sync:ScheduleEveryMinutes as cron: every N minutes within the hour, or every N/60 hours on the hour.</summary>
    public static string Cron(int everyMinutes) => everyMinutes < 60
        ? $"*/{everyMinutes} * * * *" : $"0 */{Math.Max(1, everyMinutes / 60)} * * *";

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Queued {Count} stale connections for a delta sync ({Reconciles} to be reconciled after it)")]
    private static partial void LogQueuedStale(ILogger logger, int count, int reconciles);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {Count} sync runs left unfinished")]
    private static partial void LogResumed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Requeued {Count} sync runs whose node stopped renewing its lease; they resume from their checkpoints")]
    private static partial void LogReclaimed(ILogger logger, int count);
}
