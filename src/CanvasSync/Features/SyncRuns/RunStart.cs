using CanvasSync.Cluster;
using CanvasSync.Data;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.SyncRuns;

/// <summary>A run about to go: the connection as it was read for it, once, and the run row, resumed or new.</summary>
internal sealed record StartedRun(SyncRun Run, RunContext Context, bool Resumed, long KnownCanvasUserId);

/// <summary>Starts a run: resumes the connection's unfinished run if it matches (or a dead worker left it), else starts a new
/// one.</summary>
internal sealed class RunStart(IDbContextFactory<CanvasSyncDbContext> contexts, NodeIdentity node, TimeProvider time,
    TimeSpan slowLaneEvery)
{
    /// <summary>How far back a delta looks past the last sync's start: Canvas compares against microsecond values.</summary>
    public static readonly TimeSpan DeltaOverlap = TimeSpan.FromMinutes(5);

    public async Task<StartedRun> StartAsync(long connectionId, SyncRequest request, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        var connection = await db.Connections.AsNoTracking().SingleAsync(c => c.Id == connectionId, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var lastComplete = new[] { connection.LastFullSyncAt, connection.LastDeltaAt }.Max();
        var type = RunRows.EffectiveType(request, connection.LastFullSyncAt);
        var scope = request.Scope.ToJson();

        var unfinished = await db.SyncRuns.UnfinishedOf(connectionId).OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        SyncRun? run = null;
        var resumed = false;
        if (unfinished is not null)
        {
            if (unfinished.Status == SyncStatus.Running && node.IsAlive(unfinished.LeaseOwner, unfinished.HeartbeatAt, now))
                throw new SyncAlreadyRunningException(unfinished.Id);
            var alreadyRunning = new SyncAlreadyRunningException(unfinished.Id);
            // A dry run is never resumed (it wrote nothing to resume from), nor resumed as one. A queued run is started.
            if (!request.ForceRestart && unfinished.DryRun == request.DryRun && (!request.DryRun || unfinished.Status == SyncStatus.Queued)
                && unfinished.Type == type && unfinished.ScopeJson == scope)
            {
                run = unfinished;
                // Running: its node died or let go. Queued after an attempt: requeued by a reclaimer. Either resumes.
                resumed = unfinished.Status == SyncStatus.Running || unfinished.Attempt > 0;
            }
            else if (!await RunRows.SupersedeAsync(db, unfinished, request.ForceRestart ? "restarted from scratch (force_restart)"
                : "superseded by another sync", now, ct))
                throw alreadyRunning;

            // Another node may have started or resumed it since it was read: take it only if nobody has.
            if (run is not null && await RunRows.StillAsRead(db, run).ExecuteUpdateAsync(u => u
                    .SetProperty(r => r.Status, SyncStatus.Running).SetProperty(r => r.LeaseOwner, node.Name)
                        .SetProperty(r => r.HeartbeatAt, now), ct) == 0)
                throw alreadyRunning;
        }

        if (run is null)
        {
            run = RunRows.New(connectionId, type, request, SyncStatus.Running, now);
            db.SyncRuns.Add(run);
        }

        // What the last complete run of this kind read is the best guess of what this one will (for percent and ETA).
        run.ItemsEstimated ??= await db.SyncRuns.AsNoTracking()
            .Where(r => r.ConnectionId == connectionId && r.Type == type && !r.DryRun && r.ScopeJson == scope
                && r.Status == SyncStatus.Completed)
            .OrderByDescending(r => r.Id).Select(r => (long?)r.ItemsDone).FirstOrDefaultAsync(ct);
        // Decided once, when the run first starts, and kept across resumes.
        if (run.Attempt == 0)
            run.SlowLane = run.Type == SyncType.Delta
                && (run.SlowLane || request.SlowLane || connection.LastSlowLaneAt is null
                    || connection.LastSlowLaneAt < now - slowLaneEvery);
        run.Resumed |= resumed;
        run.Status = SyncStatus.Running;
        run.StartedAt ??= now;
        run.HeartbeatAt = now;
        run.LeaseOwner = node.Name;
        run.Node = node.Name;
        run.Attempt++;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (!resumed)
        {
            // Another process started or queued a run of this connection in the same instant (the unique index said so).
            throw await RunRows.UnfinishedRunOfAsync(contexts, connectionId, ct) is { } other
                ? new SyncAlreadyRunningException(other)
                : (Exception)new InvalidOperationException("the run could not be started");
        }

        var since = run.Type != SyncType.Full && lastComplete is { } last ? last - DeltaOverlap : (DateTime?)null;
        var context = new RunContext(run.Id, connectionId, run.Type, SyncScope.FromJson(run.ScopeJson), connection.BaseUrl,
            run.StartedAt!.Value, since,
            run.SlowLane, connection.GraphQLRefusedUntil);
        return new StartedRun(run, context, resumed, connection.CanvasUserId);
    }
}
