using CanvasSync.Data;
using CanvasSync.Features.Connections;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Features.SyncRuns.Jobs;

/// <summary>A sync that failed as a whole (not a collection): thrown so the job system retries it with backoff.</summary>
internal sealed class SyncRunFailedException(long runId, string? message) : Exception($"sync run {runId} failed: {message}");

/// <summary>
/// The background job: takes ids only, and is re-entrant. It runs a queued or interrupted run to its end with the
/// connection's stored token; a run that is finished, or running elsewhere, makes it a no-op.
/// </summary>
internal sealed partial class SyncJob(SyncEngine engine, RunQueue queue, ConnectionTokens tokens,
    IDbContextFactory<CanvasSyncDbContext> contexts, ILogger<SyncJob> logger)
{
    public async Task RunAsync(long connectionId, long runId, CancellationToken shutdown)
    {
        SyncRun? run;
        await using (var db = contexts.CreateDbContext())
        {
            // A retry of a failed run (the job system's, after a delay) resumes it from its checkpoints.
            await ReopenFailedAsync(db, runId, shutdown);
            run = await db.SyncRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId && r.ConnectionId == connectionId, shutdown);
        }

        if (run is null || !run.Status.IsUnfinished())
        {
            LogNothingToDo(logger, runId);
            return;
        }

        var credential = await tokens.CredentialAsync(connectionId, shutdown);
        if (credential is null)
        {
            await CancelAsync(runId, "the connection has no usable token (disconnected, or needs_reauth)");
            return;
        }

        try
        {
            var request = new SyncRequest(run.Type, SyncScope.FromJson(run.ScopeJson), DryRun: run.DryRun, SlowLane: run.SlowLane);
            var result = await engine.RunAsync(connectionId, credential, request, interrupt: shutdown);
            if (result.Status == SyncStatus.Failed) throw new SyncRunFailedException(result.RunId, result.Errors.FirstOrDefault());
            if (run.ThenReconcile && result.Status == SyncStatus.Completed && !shutdown.IsCancellationRequested)
            {
                // Queued first, like every run, so a second trigger finds it and a stop in the middle resumes it.
                // Another run of the connection queued in the meantime (a user's) goes first and keeps its place: starting
                // the reconcile over it would supersede it; the next round decides again.
                var reconcile = new SyncRequest(SyncType.Reconcile, new SyncScope());
                var (_, existing) = await queue.QueueAsync(connectionId, reconcile, shutdown);
                // Its failure is its own record (and alert); the delta stands, and the next round tries the reconcile again.
                if (!existing) await engine.RunAsync(connectionId, credential, reconcile, interrupt: shutdown);
            }
        }
        catch (SyncAlreadyRunningException e)
        {
            LogAlreadyRunning(logger, connectionId, e.RunId);
        }
    }

    private static async Task ReopenFailedAsync(CanvasSyncDbContext db, long runId, CancellationToken ct)
    {
        try
        {
            await db.SyncRuns.Where(r => r.Id == runId && r.Status == SyncStatus.Failed).ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, SyncStatus.Queued)
                .SetProperty(r => r.FinishedAt, (DateTime?)null)
                .SetProperty(r => r.ErrorCode, (string?)null)
                .SetProperty(r => r.ErrorMessage, (string?)null), ct);
        }
        catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException)
        {
            // Another run of the connection is queued or running meanwhile (one unfinished run per connection): it goes first.
        }
    }

    private async Task CancelAsync(long runId, string why)
    {
        await using var db = contexts.CreateDbContext();
        await db.SyncRuns.Where(r => r.Id == runId && r.Status == SyncStatus.Queued).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.Status, SyncStatus.Cancelled)
            .SetProperty(r => r.ErrorCode, "no_token")
            .SetProperty(r => r.ErrorMessage, why)
            .SetProperty(r => r.FinishedAt, DateTime.UtcNow));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sync job for run {RunId}: the run is finished or gone, nothing to do")]
    private static partial void LogNothingToDo(ILogger logger, long runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sync job for connection {ConnectionId}: run {RunId} is already running")]
    private static partial void LogAlreadyRunning(ILogger logger, long connectionId, long runId);
}
