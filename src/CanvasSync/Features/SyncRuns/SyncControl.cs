using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns.Jobs;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.SyncRuns;

internal enum CancelOutcome { Cancelled, AlreadyFinished }

/// <summary>Starting and cancelling a user's syncs: what the API and the dashboard's buttons both do.</summary>
internal static class SyncControl
{
    /// <summary>Whether the connection has a token Canvas last accepted, so a sync can run at all.</summary>
    public static bool CanSync(CanvasConnection c) => c.EncryptedToken is not null && c.Status != ConnectionStatus.NeedsReauth;

    /// <summary>The run, if it belongs to the user's connection; someone else's run is the same as none.</summary>
    public static Task<SyncRun?> OwnRunAsync(CanvasSyncDbContext db, long userId, long id, CancellationToken ct) =>
        db.SyncRuns.AsNoTracking().Include(r => r.Counts)
            .FirstOrDefaultAsync(r => r.Id == id && db.Connections.Any(c => c.Id == r.ConnectionId && c.UserId == userId), ct);

    /// <summary>The user's runs with their counts, newest first, older than <paramref name="before"/> if given, at most
    /// <paramref name="take"/>.</summary>
    public static Task<List<SyncRun>> HistoryAsync(CanvasSyncDbContext db, long userId, long? before, int take, CancellationToken ct) =>
        db.SyncRuns.AsNoTracking().Include(r => r.Counts)
            .Where(r => db.Connections.Any(c => c.Id == r.ConnectionId && c.UserId == userId) && (before == null || r.Id < before))
            .OrderByDescending(r => r.Id).Take(take).ToListAsync(ct);

    /// <summary>The same run again (same type, scope and dry-run), as a new run; the one in progress if there is one.</summary>
    public static Task<(long RunId, bool Existing)> RetryAsync(SyncScheduler scheduler, SyncRun run, CancellationToken ct) =>
        scheduler.EnqueueAsync(run.ConnectionId, new SyncRequest(run.Type, SyncScope.FromJson(run.ScopeJson), DryRun: run.DryRun), ct);

    /// <summary>The run of the connection that is queued or running, if any.</summary>
    public static Task<SyncRun?> ActiveAsync(CanvasSyncDbContext db, long connectionId, CancellationToken ct) =>
        db.SyncRuns.AsNoTracking().UnfinishedOf(connectionId)
            .OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);

    /// <summary>
    /// A queued run is cancelled at once; a running one is asked to stop at its next page boundary: at once when this
    /// node runs it, else through its row, which the node holding it reads each time it renews its lease (and a node
    /// resuming it reads first).
    /// </summary>
    public static async Task<CancelOutcome> CancelAsync(CanvasSyncDbContext db, SyncEngine engine, TimeProvider time, SyncRun run,
        CancellationToken ct)
    {
        if (run.Status == SyncStatus.Queued)
        {
            var cancelled = await db.SyncRuns.Where(r => r.Id == run.Id && r.Status == SyncStatus.Queued).ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, SyncStatus.Cancelled)
                .SetProperty(r => r.ErrorCode, "cancelled")
                .SetProperty(r => r.ErrorMessage, "cancelled before it started")
                .SetProperty(r => r.FinishedAt, time.GetUtcNow().UtcDateTime), ct);
            if (cancelled > 0) return CancelOutcome.Cancelled;
            // It started in the meantime: cancel it as a running one.
        }
        else if (run.Status != SyncStatus.Running) return CancelOutcome.AlreadyFinished;

        if (engine.TryCancel(run.Id)) return CancelOutcome.Cancelled;
        var asked = await db.SyncRuns.Where(r => r.Id == run.Id && r.Status == SyncStatus.Running)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.CancelRequested, true), ct);
        return asked > 0 ? CancelOutcome.Cancelled : CancelOutcome.AlreadyFinished;
    }
}
