using System.Diagnostics;
using CanvasSync.Canvas;
using CanvasSync.Cluster;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// A run's end: its status and figures on its row, the connection's state, planner tasks and teams, the observers
/// (metrics, alerts); or, interrupted by shutdown, its lease given back so it resumes at once elsewhere.
/// </summary>
internal sealed partial class RunFinish(IDbContextFactory<CanvasSyncDbContext> contexts, NodeIdentity node, TimeProvider time,
    IEnumerable<ISyncRunObserver> observers,
    ILogger<RunFinish> logger)
{
    /// <summary>The error of a run that left collections unread (the scheduler's next run of the connection is a reconcile).</summary>
    public const string CollectionsFailed = "collections_failed";

    public async Task<SyncResult> FinishAsync(RunState s, SyncStatus status, bool resumed, Stopwatch clock)
    {
        s.Phases.Mark("finish");
        var dryCounts = s.DryRun ? await PageCommit.RollBackDryRunAsync(s) : null;
        var now = time.GetUtcNow().UtcDateTime;
        var errors = s.Errors.ToList();
        await using var db = contexts.CreateDbContext();
        var run = await db.SyncRuns.SingleAsync(r => r.Id == s.Context.RunId);
        if (run.LeaseOwner != node.Name && run.Status == SyncStatus.Running)
        {
            // Taken over between this node's last renewal and now: the other node finishes it (and maps its tasks).
            s.LeaseLost = true;
            return Unfinished(s, resumed, clock.Elapsed);
        }

        // Planner tasks and teams follow what a finished run left (the user's own task fields are never touched),
        // and are counted before the run says it is finished, so a finished run's counts are final.
        if (status is SyncStatus.Completed or SyncStatus.CompletedWithErrors && !s.DryRun)
        {
            var tasks = await TaskMapper.RefreshAsync(db, s.Context.ConnectionId, now, CancellationToken.None);
            var teams = await TeamMapper.RefreshAsync(db, s.Context.ConnectionId, now, CancellationToken.None);
            foreach (var (entity, n) in new[] { ("tasks", tasks), ("teams", teams) })
                db.SyncRunCounts.Add(new SyncRunCount
                {
                    RunId = s.Context.RunId,
                    EntityType = entity,
                    Created = n.Created,
                    Updated = n.Updated,
                    Deleted = n.Deleted,
                    Unchanged = n.Unchanged
                });
            await db.SaveChangesAsync();
        }

        Record(s, run, status, errors, now, clock);
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await UpdateConnectionAsync(db, s, run, status, now);
            // A dry run keeps only its record: the counts it read before rolling back (its root checkpoint is no work to
            // resume). The counts commit with the finished status, so no reader sees a finished preview without them.
            if (dryCounts is not null)
            {
                await db.SyncCheckpoints.Where(c => c.RunId == run.Id).ExecuteDeleteAsync();
                db.SyncRunCounts.AddRange(dryCounts);
            }

            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        run.Counts = (await db.SyncRunCounts.AsNoTracking().Where(c => c.RunId == run.Id).ToListAsync()).OrderBy(c => c.EntityType,
            StringComparer.Ordinal).ToList();
        var counts = run.Counts.ToDictionary(c => c.EntityType, c => new EntityCounts(c.Created, c.Updated, c.Deleted, c.Unchanged));
        run.Drift = await db.SyncRunDrift.AsNoTracking().Where(d => d.RunId == run.Id).OrderBy(d => d.EntityType).ThenBy(d => d.Field)
            .ToListAsync();
        foreach (var d in run.Drift) LogDrift(logger, run.Id, run.ConnectionId, d.EntityType, d.Field, d.RowCount, d.ExampleCanvasId);
        var (seconds, items, changed) = (RunFigures.DurationSeconds(run), RunFigures.ItemsRead(run), RunFigures.RowsChanged(run.Counts));
        if (run.ErrorCode is null)
            LogRunFinished(logger, run.Id, run.ConnectionId, run.Type, status, seconds, items, changed, run.Requests, run.Throttled,
            run.Retries);
        else LogRunFinishedWithError(logger, run.Id, run.ConnectionId, run.Type, status, seconds, items, changed, run.Requests,
            run.Throttled, run.Retries, run.ErrorCode);
        s.Tracker.Finish(SnakeCase.From(status.ToString()), status == SyncStatus.Completed, run.Requests, run.Throttled);
        await TellObserversAsync(run);
        return new SyncResult(run.Id, status, run.Type, resumed, TimeSpan.FromSeconds(run.ActiveSeconds), run.Requests, run.Throttled,
            run.Retries, counts, errors, run.DryRun)
        {
            ItemsRead = RunFigures.ItemsRead(run),
            DeltaSource = run.DeltaSource,
            Drift = run.Drift,
            ErrorCode = run.ErrorCode,
            ErrorMessage = run.ErrorMessage,
        };
    }

    /// <summary>The run's status, error and figures (this attempt's added to earlier ones').</summary>
    private static void Record(RunState s, SyncRun run, SyncStatus status, List<string> errors, DateTime now, Stopwatch clock)
    {
        var a = s.Session.Accounting;
        run.Status = status;
        run.FinishedAt = now;
        run.HeartbeatAt = now;
        run.LeaseOwner = null;
        run.Requests = s.Before.Requests + a.Requests;
        run.Pages = s.Before.Pages + a.Pages;
        run.Items = s.Before.Items + a.Items;
        run.Bytes = s.Before.Bytes + a.Bytes;
        run.RequestCost = s.Before.RequestCost + a.RequestCost;
        run.Throttled = s.Before.Throttled + a.Throttled;
        run.Retries = s.Before.Retries + a.Retries;
        s.Phases.Mark("finish");
        run.PhaseSecondsJson = s.Phases.ToJson(s.Before.PhaseSecondsJson);
        run.ActiveSeconds = Math.Round(s.Before.ActiveSeconds + clock.Elapsed.TotalSeconds, 3);
        if (status == SyncStatus.Completed) run.Percent = 100;
        (run.ErrorCode, run.ErrorMessage) = status switch
        {
            SyncStatus.NeedsReauth => ("token_" + s.DeadToken!.Reason.ToString().ToLowerInvariant(), s.DeadToken.Message),
            SyncStatus.CompletedWithErrors => (CollectionsFailed, $"{errors.Count} collection(s) failed; first: {errors[0]}"),
            SyncStatus.Cancelled => ("cancelled", "cancelled; what was fetched is kept"),
            SyncStatus.Failed when s.Failure is DifferentCanvasUserException => (DifferentCanvasUserException.Code, s.Failure.Message),
            // Canvas's failures are already words for a person (what could not be reached, what stalled); ours keep their type for a bug
            // report.
            SyncStatus.Failed when s.Failure is CanvasException => ("canvas_error", $"Canvas failed the sync after every retry: {s.Failure.Message}"),
            SyncStatus.Failed => ("internal_error", $"{s.Failure!.GetType().Name}: {s.Failure.Message}"),
            _ => (null, null),
        };
    }

    /// <summary>The connection's state after the run, written without reading the connection again.</summary>
    private static Task UpdateConnectionAsync(CanvasSyncDbContext db, RunState s, SyncRun run, SyncStatus status, DateTime now)
    {
        // A complete, unscoped sync is where the next delta starts from (its start: changes during it are re-read).
        var startsDeltas = status == SyncStatus.Completed && !s.DryRun && SyncScope.FromJson(run.ScopeJson).IsAll;
        return db.Connections.Where(c => c.Id == run.ConnectionId).ExecuteUpdateAsync(u =>
        {
            u.SetProperty(c => c.UpdatedAt, now);
            if (status == SyncStatus.NeedsReauth)
            {
                // Every row stays: the data is still the user's, only the token must be replaced.
                u.SetProperty(c => c.Status, ConnectionStatus.NeedsReauth);
                u.SetProperty(c => c.LastErrorCode, run.ErrorCode);
            }
            else if (status == SyncStatus.Failed)
            {
                u.SetProperty(c => c.Status, ConnectionStatus.Error);
                u.SetProperty(c => c.LastErrorCode, run.ErrorCode);
            }
            else if (status is SyncStatus.Completed or SyncStatus.CompletedWithErrors && !s.DryRun)
            {
                u.SetProperty(c => c.Status, ConnectionStatus.Ok);
                u.SetProperty(c => c.LastErrorCode, status == SyncStatus.Completed ? null : run.ErrorCode);
            }

            // A reconcile is a complete full read too; it, a full sync and a slow lane reset the slow lane's clock.
            if (startsDeltas && run.Type != SyncType.Delta) u.SetProperty(c => c.LastFullSyncAt, run.StartedAt);
            else if (startsDeltas) u.SetProperty(c => c.LastDeltaAt, run.StartedAt);
            if (startsDeltas && (run.Type != SyncType.Delta || run.SlowLane)) u.SetProperty(c => c.LastSlowLaneAt, run.StartedAt);
        });
    }

    /// <summary>
    /// Interrupted by shutdown: what was fetched is committed with its checkpoints; the run stays running with no
    /// lease, so the next start (this node or another) resumes it at once instead of waiting for the heartbeat to age.
    /// </summary>
    public async Task<SyncResult> ReleaseAsync(RunState s, bool resumed, TimeSpan duration)
    {
        var phases = s.Phases.ToJson(s.Before.PhaseSecondsJson);
        await using var db = contexts.CreateDbContext();
        var (requests, throttled, retries) = s.Totals();
        await db.SyncRuns.Where(r => r.Id == s.Context.RunId && r.LeaseOwner == node.Name).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.LeaseOwner, (string?)null)
            .SetProperty(r => r.HeartbeatAt, (DateTime?)null)
            .SetProperty(r => r.Requests, requests)
            .SetProperty(r => r.Throttled, throttled)
            .SetProperty(r => r.Retries, retries)
            .SetProperty(r => r.ActiveSeconds, s.Before.ActiveSeconds + duration.TotalSeconds)
            .SetProperty(r => r.PhaseSecondsJson, phases));
        return Unfinished(s, resumed, duration);
    }

    /// <summary>
    /// The result of an attempt that leaves the run running: let go at shutdown, or left to the node that took it over
    /// (what this attempt did is committed page by page; nothing else is written).
    /// </summary>
    public static SyncResult Unfinished(RunState s, bool resumed, TimeSpan duration)
    {
        var (requests, throttled, retries) = s.Totals();
        return new SyncResult(s.Context.RunId, SyncStatus.Running, s.Context.Type, resumed, TimeSpan.FromSeconds(s.Before.ActiveSeconds)
            + duration, requests, throttled, retries,
            new Dictionary<string, EntityCounts>(), s.Errors.ToList());
    }

    /// <summary>Metrics and alerts hear of the run; their trouble is logged and never changes the run's outcome.</summary>
    private async Task TellObserversAsync(SyncRun ended)
    {
        foreach (var observer in observers)
        {
            try
            {
                await observer.RunEndedAsync(ended, CancellationToken.None);
            }
            catch (Exception e)
            {
                LogObserverFailed(logger, observer.GetType().Name, ended.Id, e);
            }
        }
    }

    /// <summary>The one summary line per run, with its figures as fields for a log search.</summary>
    [LoggerMessage(Level = LogLevel.Information, Message =
        "Sync run {RunId} of connection {ConnectionId} ({Type}) ended {Status} in {Seconds:0.0} s: " +
        "{Items} items read, {Changed} rows changed; {Requests} requests, {Throttled} throttled, {Retries} retries")]
    private static partial void LogRunFinished(ILogger logger, long runId, long connectionId, SyncType type, SyncStatus status,
        double seconds, long items,
        long changed, long requests, long throttled, long retries);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Sync run {RunId} of connection {ConnectionId} ({Type}) ended {Status} in {Seconds:0.0} s: " +
        "{Items} items read, {Changed} rows changed; {Requests} requests, {Throttled} throttled, {Retries} retries; error {ErrorCode}")]
    private static partial void LogRunFinishedWithError(ILogger logger, long runId, long connectionId, SyncType type, SyncStatus status,
        double seconds, long items,
        long changed, long requests, long throttled, long retries, string errorCode);

    /// <summary>Drift is a bug report: something a delta should have caught. The example row is where to start looking.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Reconcile run {RunId} of connection {ConnectionId} found drift: {EntityType}.{Field} in {Rows} rows, e.g. Canvas id {Example}")]
    private static partial void LogDrift(ILogger logger, long runId, long connectionId, string entityType, string field, long rows,
        long? example);

    [LoggerMessage(Level = LogLevel.Error, Message = "Observer {Observer} failed on sync run {RunId}; the run's outcome stands")]
    private static partial void LogObserverFailed(ILogger logger, string observer, long runId, Exception error);
}
