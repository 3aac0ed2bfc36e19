using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using CanvasSync.Canvas;
using CanvasSync.Canvas.Wire;
using CanvasSync.Cluster;
using CanvasSync.Data;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Features.SyncRuns;

/// <summary>A second sync of a connection while one is running: the running one's id.</summary>
public sealed class SyncAlreadyRunningException(long runId) : Exception(runId == 0 ? "a sync of this connection is starting" : $"sync run {runId} of this connection is already running")
{
    public long RunId { get; } = runId;
}

/// <summary>
/// Syncs one connection: a full backfill or a delta, resumable from checkpoints. The checkpoint table is the work
/// list: every unfinished (course, collection) row holds the next page to fetch, and a page's rows, the collections it
/// opens and its cursor commit in one transaction. A process killed at any moment therefore resumes by running the
/// unfinished rows, refetching at most the pages that were in flight, and upserts make a refetched page harmless.
/// </summary>
public sealed partial class SyncEngine(CanvasClient client, DatabaseTarget database, SyncEvents events, NodeIdentity node, TimeProvider time,
    ILogger<SyncEngine> logger, IEnumerable<ISyncRunObserver> observers)
{
    /// <summary>How far back a delta looks past the last sync's start: Canvas compares against microsecond values.</summary>
    public static readonly TimeSpan DeltaOverlap = TimeSpan.FromMinutes(5);

    public int Workers { get; init; } = 64;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Runs a sync of the connection to its end: resumes the connection's unfinished or queued run when it matches,
    /// else starts one. <paramref name="cancellationToken"/> cancels the run (status cancelled);
    /// <paramref name="interrupt"/> (the service shutting down) stops it at a page boundary and leaves it to be
    /// resumed (the result's status is then still running).
    /// </summary>
    public Task<SyncResult> RunAsync(long connectionId, string token, SyncRequest request, IProgress<SyncProgress>? progress = null,
        CancellationToken cancellationToken = default, CancellationToken interrupt = default) =>
        RunAsync(connectionId, CanvasCredential.Fixed(token), request, progress, cancellationToken, interrupt);

    /// <inheritdoc cref="RunAsync(long, string, SyncRequest, IProgress{SyncProgress}?, CancellationToken, CancellationToken)"/>
    public async Task<SyncResult> RunAsync(long connectionId, CanvasCredential credential, SyncRequest request, IProgress<SyncProgress>? progress = null,
        CancellationToken cancellationToken = default, CancellationToken interrupt = default)
    {
        using var active = EnterConnection(connectionId);
        // The caller's token or TryCancel (the API's cancel) cancel the run alike.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, active.Cancel.Token);
        cancellationToken = cancel.Token;
        var clock = Stopwatch.StartNew();
        var (run, context, resumed, baseUrl) = await StartRunAsync(connectionId, request, cancellationToken);
        active.RunId = run.Id;
        if (run.CancelRequested) await active.Cancel.CancelAsync(); // asked while its last node ran it
        var session = client.Open(baseUrl, credential);
        var state = new RunState(run, context, session, progress, new ProgressTracker(run.Id, run.Attempt, run.ItemsEstimated, events));
        // Every line this run logs, on whichever thread, names the run and its connection.
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["SyncRunId"] = run.Id, ["ConnectionId"] = connectionId });
        LogRunStarting(logger, run.Id, run.Type, resumed);

        await using (var db = database.CreateContext())
        {
            var open = await db.SyncCheckpoints.AsNoTracking().Where(c => c.RunId == run.Id).ToListAsync(cancellationToken);
            state.CollectionsKnown = open.Count;
            state.CollectionsDone = open.Count(c => c.Done);
            state.ItemsDone = open.Sum(c => c.ItemsFetched);
            foreach (var c in open.Where(c => !c.Done)) state.Queue.Add(ct => ProcessAsync(state, new CheckpointWork(c.CourseCanvasId, c.Collection, c.NextPageUrl!), ct));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, interrupt);
        state.Stop = stop;
        using var renewing = new CancellationTokenSource();
        // A dry run writes its row inside its own transaction (rolled back at the end), which a renewal beside it would wait for.
        var lease = state.DryRun ? Task.CompletedTask : KeepLeaseAsync(state, renewing.Token);
        try
        {
            // Every run starts by asking who the token belongs to: it proves the token alive before any work.
            state.Phases.Mark("connect");
            var me = await session.GetSelfAsync(stop.Token);
            await UpdateCanvasUserAsync(connectionId, me.Value, stop.Token);
            state.Phases.Mark("connect");
            await state.Queue.RunAsync(Workers, stop.Token);
        }
        catch (CanvasTokenException e)
        {
            state.DeadToken ??= e;
        }
        catch (DifferentCanvasUserException e)
        {
            state.Failure = e;
            state.Errors.Enqueue(e.Message);
        }
        catch (OperationCanceledException) when (state.DeadToken is not null || state.LeaseLost || cancellationToken.IsCancellationRequested || interrupt.IsCancellationRequested)
        {
            // Stopped: by a dead token, a lost lease, the caller (cancel) or shutdown. Each is reported below.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The run as a whole cannot go on (Canvas unreachable after every retry, the database failing). It is
            // recorded as failed, with its checkpoints, so a retry resumes it; one failed collection never gets here.
            state.Failure = e;
            LogRunFailed(logger, run.Id, e);
        }

        finally
        {
            await renewing.CancelAsync();
            await lease;
        }

        // Another node holds the run now (this one was too long silent): it is that node's to finish; nothing is written.
        if (state.LeaseLost) return Abandoned(state, resumed, clock.Elapsed);
        if (interrupt.IsCancellationRequested && state.DeadToken is null && !cancellationToken.IsCancellationRequested && !state.DryRun)
            return await ReleaseAsync(state, resumed, clock.Elapsed);

        var status = state.DeadToken is not null ? SyncStatus.NeedsReauth
            : state.Failure is not null ? SyncStatus.Failed
            : cancellationToken.IsCancellationRequested ? SyncStatus.Cancelled
            : state.Errors.IsEmpty ? SyncStatus.Completed : SyncStatus.CompletedWithErrors;
        var (result, ended) = await FinishAsync(state, status, resumed, clock);
        if (state.LeaseLost) return result;
        await TellObserversAsync(ended);
        return result;
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

    private Task ProcessAsync(RunState s, CheckpointWork work, CancellationToken ct) =>
        SyncedCollections.For(work).ReadAsync(new Reader(this, s), work, ct);

    /// <summary>The run's side of a collection's read, generic over the collection's wire type.</summary>
    private sealed class Reader(SyncEngine engine, RunState state) : ICollectionReader
    {
        public Task ReadAsync<T>(SyncedCollection<T> collection, CheckpointWork work, CancellationToken ct) => engine.DrainAsync(state, collection, work, ct);
    }

    /// <summary>Reads a collection from its checkpoint on, writing each page as it arrives. A failure stays with this collection.</summary>
    private async Task DrainAsync<T>(RunState s, SyncedCollection<T> collection, CheckpointWork work, CancellationToken ct)
    {
        s.Phases.Mark(work.Kind);
        try
        {
            await foreach (var page in s.Session.PagesAsync(work.Kind, work.NextPageUrl, collection.WireType, collection.ItemKey, ct))
                await CommitPageAsync(s, work, page.Next, page.Items.Count, write => collection.WriteAsync(write, page), ct);
        }
        catch (CanvasForbiddenException) when (collection.InsteadWhenRefused(work) is { } instead)
        {
            // Canvas refused the query as a whole: close this checkpoint and read what the collection says instead.
            await CommitPageAsync(s, work, null, 0, write =>
            {
                write.Open(instead.CourseId, instead.Collection, instead.NextPageUrl);
                return Task.CompletedTask;
            }, ct);
        }
        catch (CanvasTokenException e)
        {
            s.DeadToken ??= e;
            await s.Stop!.CancelAsync();
        }
        catch (CanvasException e) when (!ct.IsCancellationRequested)
        {
            // No permission, gone, or still failing after retries: recorded, the checkpoint stays open, the rest goes on.
            s.Errors.Enqueue($"{work.Collection} of course {work.CourseId}: {e.Message}");
            LogCollectionFailed(logger, work.Collection, work.CourseId, e.GetType().Name);
        }
        finally
        {
            s.Phases.Mark(work.Kind);
        }
    }

    /// <summary>One page's transaction: its rows, the collections it opens, its cursor, the counts and the run's progress.</summary>
    private async Task CommitPageAsync(RunState s, CheckpointWork work, Uri? next, int items, Func<PageWrite, Task> write, CancellationToken ct)
    {
        var fx = new PageEffects();
        // One writer at a time: SQLite has a single writer anyway, and it keeps "the last batch of a course" decisions race-free.
        await s.WriteGate.WaitAsync(ct);
        DbConnection? own = null;
        DbTransaction? ownTx = null;
        try
        {
            var now = Now;
            DbConnection connection;
            DbTransaction tx;
            if (s.DryRun)
            {
                // A dry run does every write of a real run inside one transaction that is rolled back at the end, so
                // later pages see earlier ones (deletions, new assignments) and nothing stays.
                s.DryConnection ??= await OpenAsync(ct);
                s.DryTransaction ??= await s.DryConnection.BeginTransactionAsync(ct);
                (connection, tx) = (s.DryConnection, s.DryTransaction);
            }
            else
            {
                connection = own = await OpenAsync(ct);
                tx = ownTx = await connection.BeginTransactionAsync(ct);
            }

            // A dry run's writes are rolled back, so it takes no version (and holds no lock on the connection's counter).
            var version = s.DryRun ? 0 : await ChangeVersions.NextAsync(connection, tx, s.Context.ConnectionId, ct);
            await write(new PageWrite(connection, tx, s.Context, work, next is null, new ChangeStamp(version, now), fx, ct));
            await RunStore.OpenAsync(connection, tx, s.Context.RunId, fx.Children, now, ct);
            await RunStore.AdvanceAsync(connection, tx, s.Context.RunId, work, next, items, now, ct);
            await RunStore.AddCountsAsync(connection, tx, s.Context.RunId, fx.Counts, ct);
            s.ItemsDone += items;
            s.CollectionsKnown += fx.Children.Count;
            if (next is null) s.CollectionsDone++;
            var progress = s.Tracker.Next(work, next is null, fx.Children, s.ItemsDone, s.CollectionsDone, s.CollectionsKnown,
                s.Before.Requests + s.Session.Accounting.Requests, s.Before.Throttled + s.Session.Accounting.Throttled);
            if (!await RunStore.ProgressAsync(connection, tx, s.Context.RunId, node.Name, progress, s.Session.Accounting, s.Before, now, ct))
            {
                // The page is rolled back: another node holds the run and writes it.
                await LoseLeaseAsync(s);
                throw LeaseTaken();
            }

            if (ownTx is not null) await ownTx.CommitAsync(ct);
            s.Progress?.Report(progress);
            s.Tracker.Publish(progress);
        }
        finally
        {
            if (ownTx is not null) await ownTx.DisposeAsync();
            if (own is not null) await own.DisposeAsync();
            s.WriteGate.Release();
        }

        foreach (var child in fx.Children) s.Queue.Add(c => ProcessAsync(s, child, c));
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = database.CreateConnection();
        await connection.OpenAsync(ct);
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            // With WAL, NORMAL loses no committed page to a process crash (only, at worst, the last ones to a power cut).
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous=NORMAL";
            await pragma.ExecuteNonQueryAsync(ct);
        }

        return connection;
    }

    /// <summary>A dry run's counts, read inside its transaction, which is then rolled back: nothing it wrote stays.</summary>
    private static async Task<List<SyncRunCount>> RollBackDryRunAsync(RunState s)
    {
        var counts = new List<SyncRunCount>();
        if (s.DryConnection is null || s.DryTransaction is null) return counts;
        await using (var cmd = Sql.Command(s.DryConnection, s.DryTransaction,
                         "SELECT entity_type, created, updated, deleted, unchanged FROM sync_run_counts WHERE run_id = @r"))
        {
            Sql.Add(cmd, "r", s.Context.RunId);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                counts.Add(new SyncRunCount { RunId = s.Context.RunId, EntityType = reader.GetString(0), Created = reader.GetInt64(1), Updated = reader.GetInt64(2), Deleted = reader.GetInt64(3), Unchanged = reader.GetInt64(4) });
        }

        await s.DryTransaction.RollbackAsync();
        await s.DryTransaction.DisposeAsync();
        await s.DryConnection.DisposeAsync();
        return counts;
    }

    /// <summary>
    /// Records whom the token belongs to. A connection that already holds another Canvas user's data refuses: the
    /// API's connect says different_canvas_user before it stores such a token, and this is the same rule for every
    /// other way in (the command line's connection, keyed by Canvas only), so two people's data never mix.
    /// </summary>
    private async Task UpdateCanvasUserAsync(long connectionId, CanvasUser me, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        var known = await db.Connections.Where(c => c.Id == connectionId).Select(c => c.CanvasUserId).SingleAsync(ct);
        if (known != 0 && known != me.Id) throw new DifferentCanvasUserException(known, me.Id);
        await db.Connections.Where(c => c.Id == connectionId).ExecuteUpdateAsync(u => u
            .SetProperty(c => c.CanvasUserId, me.Id)
            .SetProperty(c => c.CanvasUserName, me.Name ?? "")
            .SetProperty(c => c.UpdatedAt, Now), ct);
    }

    private async Task<(SyncResult, SyncRun)> FinishAsync(RunState s, SyncStatus status, bool resumed, Stopwatch clock)
    {
        s.Phases.Mark("finish");
        var dryCounts = s.DryRun ? await RollBackDryRunAsync(s) : null;
        var now = Now;
        var a = s.Session.Accounting;
        var errors = s.Errors.ToList();
        await using var db = database.CreateContext();
        // Planner tasks and teams follow what a finished run left (the user's own task fields are never touched),
        // and are counted before the run says it is finished, so a finished run's counts are final.
        if (status is SyncStatus.Completed or SyncStatus.CompletedWithErrors && !s.DryRun)
        {
            var tasks = await TaskMapper.RefreshAsync(db, s.Context.ConnectionId, now, CancellationToken.None);
            var teams = await TeamMapper.RefreshAsync(db, s.Context.ConnectionId, now, CancellationToken.None);
            foreach (var (entity, n) in new[] { ("tasks", tasks), ("teams", teams) })
                db.SyncRunCounts.Add(new SyncRunCount { RunId = s.Context.RunId, EntityType = entity, Created = n.Created, Updated = n.Updated, Deleted = n.Deleted, Unchanged = n.Unchanged });
            await db.SaveChangesAsync();
        }

        var run = await db.SyncRuns.SingleAsync(r => r.Id == s.Context.RunId);
        if (run.LeaseOwner != node.Name && run.Status == SyncStatus.Running)
        {
            // Taken over between this node's last renewal and now: the other node finishes it.
            s.LeaseLost = true;
            return (Abandoned(s, resumed, clock.Elapsed), run);
        }

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
            SyncStatus.CompletedWithErrors => ("collections_failed", $"{errors.Count} collection(s) failed; first: {errors[0]}"),
            SyncStatus.Cancelled => ("cancelled", "cancelled; what was fetched is kept"),
            SyncStatus.Failed when s.Failure is DifferentCanvasUserException => (DifferentCanvasUserException.Code, s.Failure.Message),
            SyncStatus.Failed => (s.Failure is CanvasException ? "canvas_error" : "internal_error", $"{s.Failure!.GetType().Name}: {s.Failure.Message}"),
            _ => (null, null),
        };

        var connection = await db.Connections.SingleAsync(c => c.Id == run.ConnectionId);
        if (status == SyncStatus.NeedsReauth)
        {
            // Every row stays: the data is still the user's, only the token must be replaced.
            connection.Status = ConnectionStatus.NeedsReauth;
            connection.LastErrorCode = run.ErrorCode;
        }
        else if (status == SyncStatus.Failed)
        {
            connection.Status = ConnectionStatus.Error;
            connection.LastErrorCode = run.ErrorCode;
        }
        else if (status is SyncStatus.Completed or SyncStatus.CompletedWithErrors && !s.DryRun)
        {
            connection.Status = ConnectionStatus.Ok;
            connection.LastErrorCode = status == SyncStatus.Completed ? null : run.ErrorCode;
            // A complete, unscoped sync is where the next delta starts from (its start: changes during it are re-read).
            if (status == SyncStatus.Completed && SyncScope.FromJson(run.ScopeJson).IsAll)
            {
                if (run.Type == SyncType.Full) connection.LastFullSyncAt = run.StartedAt;
                else connection.LastDeltaAt = run.StartedAt;
            }
        }

        connection.UpdatedAt = now;
        // A dry run keeps only its record: the counts it read before rolling back (its root checkpoint is no work to
        // resume). The counts go in the same save as the finished status, so no reader sees a finished preview without them.
        if (dryCounts is not null)
        {
            await db.SyncCheckpoints.Where(c => c.RunId == run.Id).ExecuteDeleteAsync();
            db.SyncRunCounts.AddRange(dryCounts);
        }

        await db.SaveChangesAsync();

        run.Counts = (await db.SyncRunCounts.AsNoTracking().Where(c => c.RunId == run.Id).ToListAsync()).OrderBy(c => c.EntityType, StringComparer.Ordinal).ToList();
        var counts = run.Counts.ToDictionary(c => c.EntityType, c => new EntityCounts(c.Created, c.Updated, c.Deleted, c.Unchanged));
        LogRunFinished(logger, run.Id, run.ConnectionId, run.Type, status, run.ActiveSeconds, counts.Values.Sum(c => c.Created + c.Updated + c.Deleted + c.Unchanged),
            counts.Values.Sum(c => c.Created + c.Updated + c.Deleted), run.Requests, run.Throttled, run.Retries, run.ErrorCode);
        s.Tracker.Finish(SnakeCase.From(status.ToString()), status == SyncStatus.Completed, run.Requests, run.Throttled);
        return (new SyncResult(run.Id, status, run.Type, resumed, clock.Elapsed, run.Requests, run.Throttled, run.Retries, counts, errors, run.DryRun), run);
    }

    /// <summary>One run's moving parts.</summary>
    private sealed class RunState(SyncRun run, RunContext context, CanvasSession session, IProgress<SyncProgress>? progress, ProgressTracker tracker)
    {
        public ProgressTracker Tracker { get; } = tracker;
        public PhaseTimes Phases { get; } = new();
        public RunContext Context { get; } = context;
        public bool DryRun { get; } = run.DryRun;
        public DbConnection? DryConnection { get; set; }
        public DbTransaction? DryTransaction { get; set; }
        public CanvasSession Session { get; } = session;
        public IProgress<SyncProgress>? Progress { get; } = progress;
        public RunTotals Before { get; } = RunTotals.Of(run);
        public WorkQueue Queue { get; } = new();
        public SemaphoreSlim WriteGate { get; } = new(1, 1);
        public ConcurrentQueue<string> Errors { get; } = new();
        public CancellationTokenSource? Stop { get; set; }
        public CanvasTokenException? DeadToken { get; set; }
        /// <summary>Another node took the run over (this one missed renewing its lease): stop, and write nothing more.</summary>
        public bool LeaseLost { get; set; }
        public Exception? Failure { get; set; }
        public long ItemsDone { get; set; }
        public int CollectionsDone { get; set; }
        public int CollectionsKnown { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sync run {RunId} ({Type}) starting; resumed: {Resumed}")]
    private static partial void LogRunStarting(ILogger logger, long runId, SyncType type, bool resumed);

    /// <summary>The one summary line per run, with its figures as fields for a log search.</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "Sync run {RunId} of connection {ConnectionId} ({Type}) ended {Status} in {Seconds:0.0} s: " +
        "{Items} items, {Changed} changed; {Requests} requests, {Throttled} throttled, {Retries} retries; error {ErrorCode}")]
    private static partial void LogRunFinished(ILogger logger, long runId, long connectionId, SyncType type, SyncStatus status, double seconds, long items,
        long changed, long requests, long throttled, long retries, string? errorCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Observer {Observer} failed on sync run {RunId}; the run's outcome stands")]
    private static partial void LogObserverFailed(ILogger logger, string observer, long runId, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sync run {RunId} failed as a whole; its checkpoints are kept for a retry")]
    private static partial void LogRunFailed(ILogger logger, long runId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync collection {Collection} of course {CourseId} failed ({Error}); the rest goes on")]
    private static partial void LogCollectionFailed(ILogger logger, string collection, long courseId, string error);
}
