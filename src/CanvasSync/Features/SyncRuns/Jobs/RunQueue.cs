using CanvasSync.Cluster;
using CanvasSync.Data;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.SyncRuns.Jobs;

/// <summary>
/// The scheduler's bookkeeping in the database: runs recorded as queued (so a second trigger finds them), the runs
/// nobody works on, and those whose node died. <see cref="SyncScheduler"/> gives each a job; the engine only runs them.
/// </summary>
internal sealed class RunQueue(IDbContextFactory<CanvasSyncDbContext> contexts, ActiveRuns active, NodeIdentity node, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Records a run as queued (with its first checkpoint, so whoever picks it up starts from there) and returns its
    /// id. A connection with a run already queued or running gets that run's id instead, with <c>Existing</c> set.
    /// </summary>
    public async Task<(long RunId, bool Existing)> QueueAsync(long connectionId, SyncRequest request, CancellationToken ct)
    {
        if (active.RunOf(connectionId) is { } here) return (here, true);
        await using var db = contexts.CreateDbContext();
        var unfinished = await db.SyncRuns.UnfinishedOf(connectionId).OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        // This process starting or running the connection's sync (its run id not yet known) is alive too: IsAlive
        // looks at other processes only, and without this a trigger in that instant superseded the run.
        if (unfinished is not null && (unfinished.Status == SyncStatus.Queued || IsAlive(unfinished) || active.IsHere(connectionId)))
            return (unfinished.Id, true);

        var lastFull = await db.Connections.Where(c => c.Id == connectionId).Select(c => c.LastFullSyncAt).SingleAsync(ct);
        if (unfinished is not null && !await RunRows.SupersedeAsync(db, unfinished, "superseded by another sync", Now, ct))
            return (unfinished.Id, true);
        var run = RunRows.New(connectionId, RunRows.EffectiveType(request, lastFull), request, SyncStatus.Queued, Now);
        db.SyncRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
            return (run.Id, false);
        }
        catch (DbUpdateException)
        {
            // Another process queued one in the same instant (the one-unfinished-run index): that one is the answer.
            return await RunRows.UnfinishedRunOfAsync(contexts, connectionId, ct) is { } other ? (other, true)
                : throw new InvalidOperationException("the run could not be queued");
        }
    }

    /// <summary>
    /// Queues a delta of each connection (followed by a reconcile for those in <paramref name="reconcile"/>, a full
    /// sync where there is nothing to start from) in one transaction: the scheduler's batch. If a connection got an unfinished
    /// run meanwhile, the batch is queued one by one instead and that connection is left out. Returns the runs queued.
    /// </summary>
    public async Task<IReadOnlyList<(long RunId, long ConnectionId,
        SyncType Type)>> QueueScheduledAsync(IReadOnlyCollection<long> connectionIds,
        IReadOnlySet<long> reconcile, CancellationToken ct)
    {
        SyncRequest RequestFor(long connectionId) => new(SyncType.Delta, new SyncScope(), ThenReconcile: reconcile.Contains(connectionId));
        await using var db = contexts.CreateDbContext();
        var lastFull = await db.Connections.AsNoTracking().Where(c => connectionIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => c.LastFullSyncAt, ct);
        var runs = lastFull.Select(c =>
            RunRows.New(c.Key, RunRows.EffectiveType(RequestFor(c.Key), c.Value), RequestFor(c.Key), SyncStatus.Queued, Now)).ToList();
        db.SyncRuns.AddRange(runs);
        try
        {
            await db.SaveChangesAsync(ct);
            return runs.Select(r => (r.Id, r.ConnectionId, r.Type)).ToList();
        }
        catch (DbUpdateException)
        {
            var queued = new List<(long, long, SyncType)>();
            foreach (var run in runs)
            {
                var (id, existing) = await QueueAsync(run.ConnectionId, RequestFor(run.ConnectionId), ct);
                if (!existing) queued.Add((id, run.ConnectionId, run.Type));
            }

            return queued;
        }
    }

    /// <summary>
    /// Runs nobody is working on: queued ones and running ones whose worker is gone (a crash, a kill, a shutdown).
    /// A one-node service resumes these at start-up.
    /// </summary>
    public async Task<IReadOnlyList<(long RunId, long ConnectionId)>> OrphanedRunsAsync(CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        var unfinished = await db.SyncRuns.AsNoTracking().Unfinished().ToListAsync(ct);
        return unfinished.Where(r => !active.IsHere(r.ConnectionId) && (r.Status == SyncStatus.Queued || !IsAlive(r)))
            .Select(r => (r.Id, r.ConnectionId)).ToList();
    }

    /// <summary>
    /// Puts running runs whose node is gone (its lease lapsed, or it let go at shutdown) back in the queue, each by a
    /// compare-and-set, so of several nodes looking at once one requeues it. Returns the runs it requeued: each needs
    /// a job. Their checkpoints stay, so whoever starts them resumes them.
    /// </summary>
    public async Task<IReadOnlyList<(long RunId, long ConnectionId)>> RequeueAbandonedAsync(CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        // A dry run is never resumed (it kept nothing); the next sync of its connection supersedes it.
        var running = await db.SyncRuns.AsNoTracking().Where(r => r.Status == SyncStatus.Running && !r.DryRun).ToListAsync(ct);
        var requeued = new List<(long, long)>();
        foreach (var run in running.Where(r => !active.IsHere(r.ConnectionId) && !IsAlive(r)))
        {
            var changed = await RunRows.StillAsRead(db, run).ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, SyncStatus.Queued)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.HeartbeatAt, (DateTime?)null), ct);
            if (changed == 1) requeued.Add((run.Id, run.ConnectionId));
        }

        return requeued;
    }

    /// <summary>Someone else is running it: see <see cref="NodeIdentity.IsAlive"/>.</summary>
    private bool IsAlive(SyncRun run) => node.IsAlive(run.LeaseOwner, run.HeartbeatAt, Now);
}
