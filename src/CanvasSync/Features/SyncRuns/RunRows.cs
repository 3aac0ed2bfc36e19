using CanvasSync.Data;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.SyncRuns;

/// <summary>What queueing and starting a run both say about run rows: a new one, its effective type, and taking one over.</summary>
internal static class RunRows
{
    public static SyncRun New(long connectionId, SyncType type, SyncRequest request, SyncStatus status, DateTime now)
    {
        var run = new SyncRun
        {
            ConnectionId = connectionId,
            Type = type,
            ScopeJson = request.Scope.ToJson(),
            DryRun = request.DryRun,
            SlowLane = type == SyncType.Delta && request.SlowLane,
            ThenReconcile = type == SyncType.Delta && request.ThenReconcile && !request.DryRun,
            Status = status,
            QueuedAt = now,
            StartedAt = status == SyncStatus.Running ? now : null,
        };
        var root = SyncedCollections.Root;
        run.Checkpoints.Add(new SyncCheckpoint
        {
            CourseCanvasId = root.CourseId,
            Collection = root.Collection,
            NextPageUrl = root.NextPageUrl,
            UpdatedAt = now
        });
        return run;
    }

    /// <summary>A delta needs a complete sync to start from, and a reconcile one to compare with; without one either is a full
    /// sync.</summary>
    public static SyncType EffectiveType(SyncRequest request, DateTime? lastFullSyncAt) =>
        request.Type != SyncType.Full && lastFullSyncAt is null ? SyncType.Full : request.Type;

    /// <summary>
    /// The run's row if it is unchanged in who holds it since <paramref name="read"/> was read. Taking a run over is
    /// a compare-and-set on this: of two nodes that both saw a dead lease (or one queued run), one wins.
    /// </summary>
    public static IQueryable<SyncRun> StillAsRead(CanvasSyncDbContext db, SyncRun read)
    {
        var (status, owner, renewed) = (read.Status, read.LeaseOwner, read.HeartbeatAt);
        return db.SyncRuns.Where(r => r.Id == read.Id && r.Status == status && r.LeaseOwner == owner && r.HeartbeatAt == renewed);
    }

    /// <summary>
    /// Ends a dead worker's run before another takes its place, committed first so the unique index allows the new one.
    /// False when someone took the run over since it was read (see <see cref="StillAsRead"/>).
    /// </summary>
    public static async Task<bool> SupersedeAsync(CanvasSyncDbContext db, SyncRun unfinished, string why, DateTime now,
        CancellationToken ct) =>
        await StillAsRead(db, unfinished).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.Status, SyncStatus.Cancelled)
            .SetProperty(r => r.FinishedAt, now)
            .SetProperty(r => r.LeaseOwner, (string?)null)
            .SetProperty(r => r.ErrorMessage, why), ct) == 1;

    public static async Task<long?> UnfinishedRunOfAsync(IDbContextFactory<CanvasSyncDbContext> contexts, long connectionId,
        CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.SyncRuns.UnfinishedOf(connectionId).Select(r => (long?)r.Id).FirstOrDefaultAsync(ct);
    }
}
