using System.Diagnostics;
using CanvasSync.Canvas;
using CanvasSync.Canvas.Wire;
using CanvasSync.Data;
using CanvasSync.Features.SyncRuns.GraphQLDeltas;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.SyncRuns;

/// <summary>A second sync of a connection while one is running: the running one's id.</summary>
internal sealed class SyncAlreadyRunningException(long runId) : Exception(runId == 0 ? "a sync of this connection is starting" : $"sync run {runId} of this connection is already running")
{
    public long RunId { get; } = runId;
}

/// <summary>
/// Syncs one connection: a full backfill, a delta (on the slow lane now and then) or a reconcile, resumable from
/// checkpoints. The checkpoint table is the work list: every unfinished (course, collection) row holds the next page
/// to fetch. The engine reads each collection
/// (<see cref="SyncedCollections"/>) from its checkpoint and hands every page to its commit (<see cref="PageCommit"/>);
/// the run's start, lease and finish are classes of their own (<see cref="RunStart"/>, <see cref="RunLease"/>,
/// <see cref="RunFinish"/>). Queueing is the scheduler's (<see cref="Jobs.RunQueue"/>).
/// </summary>
internal sealed partial class SyncEngine
{
    private readonly CanvasClient _client;
    private readonly IDbContextFactory<CanvasSyncDbContext> _contexts;
    private readonly SyncEvents _events;
    private readonly ActiveRuns _active;
    private readonly TimeProvider _time;
    private readonly ILogger<SyncEngine> _logger;
    private readonly RunStart _start;
    private readonly RunLease _lease;
    private readonly PageCommit _commit;
    private readonly RunFinish _finish;
    private readonly GraphQLDelta? _graphQL;
    private readonly ProvenTokens _proven;

    public SyncEngine(CanvasClient client, DatabaseTarget database, IDbContextFactory<CanvasSyncDbContext> contexts, SyncEvents events,
        Cluster.NodeIdentity node, ActiveRuns active, TimeProvider time, ILoggerFactory loggers, IEnumerable<ISyncRunObserver> observers,
        IOptions<Hosting.SyncOptions> options)
    {
        (_client, _contexts, _events, _active, _time) = (client, contexts, events, active, time);
        _logger = loggers.CreateLogger<SyncEngine>();
        _start = new RunStart(contexts, node, time, TimeSpan.FromHours(options.Value.SlowLaneEveryHours));
        _lease = new RunLease(contexts, node, active, time, loggers.CreateLogger<RunLease>());
        _commit = new PageCommit(database, node, _lease, time);
        _finish = new RunFinish(contexts, node, time, observers, loggers.CreateLogger<RunFinish>());
        _proven = new ProvenTokens(time, TimeSpan.FromHours(options.Value.WhoAmIEveryHours));
        if (options.Value.GraphQLDeltas)
            _graphQL = new GraphQLDelta(contexts, time, TimeSpan.FromHours(options.Value.GraphQLRetryHours),
                TimeSpan.FromMinutes(options.Value.PlannerEveryMinutes), loggers.CreateLogger<GraphQLDelta>());
    }

    public int Workers { get; init; } = 64;

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
    public async Task<SyncResult> RunAsync(long connectionId, CanvasCredential credential, SyncRequest request,
        IProgress<SyncProgress>? progress = null,
        CancellationToken cancellationToken = default, CancellationToken interrupt = default)
    {
        using var slot = _active.Enter(connectionId);
        // The caller's token or a cancel (the API's, or one asked on another node) cancel the run alike.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, slot.Cancel.Token);
        cancellationToken = cancel.Token;
        var clock = Stopwatch.StartNew();
        var started = await _start.StartAsync(connectionId, request, cancellationToken);
        var (run, resumed) = (started.Run, started.Resumed);
        slot.RunId = run.Id;
        if (run.CancelRequested) await slot.Cancel.CancelAsync(); // asked while its last node ran it
        var session = _client.Open(new Uri(started.Context.CanvasBaseUrl), credential);
        var state = new RunState(run, started.Context, session, progress,
            new ProgressTracker(run.Id, run.Attempt, run.ItemsEstimated, _events));
        // Every line this run logs, on whichever thread, names the run and its connection.
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["SyncRunId"] = run.Id, ["ConnectionId"] = connectionId });
        LogRunStarting(_logger, run.Id, run.Type, resumed);
        await QueueOpenCheckpointsAsync(state, cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, interrupt);
        state.Stop = stop;
        using var renewing = new CancellationTokenSource();
        // A dry run writes its row inside its own transaction (rolled back at the end), which a renewal beside it would wait for.
        var lease = state.DryRun ? Task.CompletedTask : _lease.KeepAsync(state, renewing.Token);
        try
        {
            // A run starts by asking who the token belongs to, which proves it alive before any work; a delta of a token
            // this node proved lately skips that (ProvenTokens): its first request proves the token alive as well.
            state.Phases.Mark("connect");
            if (run.Type == SyncType.Delta && _proven.CanvasUserOf(connectionId, credential) is { } proved
                && proved == started.KnownCanvasUserId)
                state.CanvasUserId = proved;
            else
            {
                var me = await session.GetSelfAsync(stop.Token);
                await UpdateCanvasUserAsync(connectionId, started.KnownCanvasUserId, me.Value, stop.Token);
                state.CanvasUserId = me.Value.Id;
                _proven.Proved(connectionId, credential, me.Value.Id);
            }

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
        catch (OperationCanceledException) when (state.DeadToken is not null || state.LeaseLost || cancellationToken.IsCancellationRequested
            || interrupt.IsCancellationRequested)
        {
            // Stopped: by a dead token, a lost lease, the caller (cancel) or shutdown. Each is reported below.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The run as a whole cannot go on (Canvas unreachable after every retry, the database failing). It is
            // recorded as failed, with its checkpoints, so a retry resumes it; one failed collection never gets here.
            state.Failure = e;
            LogRunFailed(_logger, run.Id, e);
        }
        finally
        {
            await renewing.CancelAsync();
            await lease;
        }

        if (state.DeadToken is not null) _proven.Forget(connectionId, credential);
        // Another node holds the run now (this one was too long silent): it is that node's to finish; nothing is written.
        if (state.LeaseLost) return RunFinish.Unfinished(state, resumed, clock.Elapsed);
        if (interrupt.IsCancellationRequested && state.DeadToken is null && !cancellationToken.IsCancellationRequested && !state.DryRun)
            return await _finish.ReleaseAsync(state, resumed, clock.Elapsed);

        // Items Canvas served that could not be read were logged and skipped as they came: the run says so, so it is no
        // silent success, and the scheduler's next round re-reads the connection as a reconcile (RunFinish.CollectionsFailed).
        if (state.Session.Accounting.SkippedItems is > 0 and var skipped)
            state.Errors.Enqueue($"{skipped} item(s) Canvas served could not be read and were skipped (the log names their collections)");
        var status = state.DeadToken is not null ? SyncStatus.NeedsReauth
            : state.Failure is not null ? SyncStatus.Failed
            : cancellationToken.IsCancellationRequested ? SyncStatus.Cancelled
            : state.Errors.IsEmpty ? SyncStatus.Completed : SyncStatus.CompletedWithErrors;
        return await _finish.FinishAsync(state, status, resumed, clock);
    }

    /// <summary>
    /// Cancels a run this process is working on: it stops at the next page boundary with what was fetched committed.
    /// False when the run is not running here.
    /// </summary>
    public bool TryCancel(long runId) => _active.TryCancel(runId);

    /// <summary>The run's unfinished checkpoints (one, the course list, for a new run) go on its work queue.</summary>
    private async Task QueueOpenCheckpointsAsync(RunState state, CancellationToken ct)
    {
        await using var db = _contexts.CreateDbContext();
        var open = await db.SyncCheckpoints.AsNoTracking().Where(c => c.RunId == state.Context.RunId).ToListAsync(ct);
        state.CollectionsKnown = open.Count;
        state.CollectionsDone = open.Count(c => c.Done);
        state.ItemsDone = open.Sum(c => c.ItemsFetched);
        foreach (var c in open.Where(c => !c.Done)) Read(state, new CheckpointWork(c.CourseCanvasId, c.Collection, c.NextPageUrl!));
    }

    private void Read(RunState state, CheckpointWork work) =>
        state.Queue.Add(ct => work == SyncedCollections.Root && state.Context.Type == SyncType.Delta
            ? PlanThenReadAsync(state, work, ct)
            : SyncedCollections.For(work).ReadAsync(new Reader(this, state), work, ct));

    /// <summary>
    /// A delta not yet begun asks GraphQL what changed (<see cref="GraphQLDelta"/>): the answer closes the course
    /// list's checkpoint and opens what changed, in one commit, so a resumed run reads the plan it made. No plan: the
    /// course list is read as usual, and everything under it.
    /// </summary>
    private async Task PlanThenReadAsync(RunState state, CheckpointWork root, CancellationToken ct)
    {
        GraphQLDelta.Plan? plan = null;
        if (_graphQL is not null)
        {
            state.Phases.Mark("graphql");
            try
            {
                plan = await _graphQL.PlanAsync(state.Session, state.Context, state.CanvasUserId, ct);
            }
            catch (CanvasTokenException e)
            {
                await StopForDeadTokenAsync(state, e);
                return;
            }
            finally
            {
                state.Phases.Mark("graphql");
            }
        }

        await RecordDeltaSourceAsync(state.Context.RunId, plan is null ? DeltaSources.Rest : DeltaSources.GraphQL, ct);
        if (plan is null) await SyncedCollections.For(root).ReadAsync(new Reader(this, state), root, ct);
        else await CommitAsync(state, root, null, 0, write => GraphQLDelta.ApplyAsync(write, plan), ct);
    }

    /// <summary>On the run's row as soon as it is known, so a resumed run (which does not plan again) keeps it.</summary>
    private async Task RecordDeltaSourceAsync(long runId, string source, CancellationToken ct)
    {
        await using var db = _contexts.CreateDbContext();
        await db.SyncRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(r => r.SetProperty(x => x.DeltaSource, source), ct);
    }

    /// <summary>The run's side of a collection's read, generic over the collection's wire type.</summary>
    private sealed class Reader(SyncEngine engine, RunState state) : ICollectionReader
    {
        public Task ReadAsync<T>(SyncedCollection<T> collection, CheckpointWork work, CancellationToken ct) =>
            engine.DrainAsync(state, collection, work, ct);
    }

    /// <summary>Reads a collection from its checkpoint on, committing each page as it arrives. A failure stays with this
    /// collection.</summary>
    private async Task DrainAsync<T>(RunState s, SyncedCollection<T> collection, CheckpointWork work, CancellationToken ct)
    {
        s.Phases.Mark(work.Kind);
        try
        {
            await foreach (var page in s.Session.PagesAsync(work.Kind, work.NextPageUrl, collection.WireType, collection.ItemKey, ct))
                await CommitAsync(s, work, page.Next, page.Items.Count, write => collection.WriteAsync(write, page), ct);
        }
        catch (CanvasForbiddenException) when (collection.InsteadWhenRefused(work) is { } instead)
        {
            // Canvas refused the query as a whole: close this checkpoint and read what the collection says instead.
            await CommitAsync(s, work, null, 0, write =>
            {
                write.Open(instead.CourseId, instead.Collection, instead.NextPageUrl);
                return Task.CompletedTask;
            }, ct);
        }
        catch (CanvasTokenException e)
        {
            await StopForDeadTokenAsync(s, e);
        }
        catch (CanvasException e) when (!ct.IsCancellationRequested)
        {
            // No permission, gone, or still failing after retries: recorded, the checkpoint stays open, the rest goes on.
            s.Errors.Enqueue($"{work.Collection} of course {work.CourseId}: {e.Message}");
            LogCollectionFailed(_logger, work.Collection, work.CourseId, e.GetType().Name);
        }
        finally
        {
            s.Phases.Mark(work.Kind);
        }
    }

    /// <summary>Canvas says the token is dead: the run stops, and ends as needs_reauth.</summary>
    private static async Task StopForDeadTokenAsync(RunState s, CanvasTokenException e)
    {
        s.DeadToken ??= e;
        await s.Stop!.CancelAsync();
    }

    private async Task CommitAsync(RunState s, CheckpointWork work, Uri? next, int items, Func<PageWrite, Task> write, CancellationToken ct)
    {
        foreach (var child in await _commit.CommitAsync(s, work, next, items, write, ct)) Read(s, child);
    }

    /// <summary>
    /// Records whom the token belongs to. A connection that already holds another Canvas user's data refuses: the
    /// API's connect says different_canvas_user before it stores such a token, and this is the same rule for every
    /// other way in (the command line's connection, keyed by Canvas only), so two people's data never mix.
    /// </summary>
    private async Task UpdateCanvasUserAsync(long connectionId, long known, CanvasUser me, CancellationToken ct)
    {
        if (known != 0 && known != me.Id) throw new DifferentCanvasUserException(known, me.Id);
        await using var db = _contexts.CreateDbContext();
        var now = _time.GetUtcNow().UtcDateTime;
        await db.Connections.Where(c => c.Id == connectionId).ExecuteUpdateAsync(u => u
            .SetProperty(c => c.CanvasUserId, me.Id)
            .SetProperty(c => c.CanvasUserName, me.Name ?? "")
            .SetProperty(c => c.UpdatedAt, now), ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sync run {RunId} ({Type}) starting; resumed: {Resumed}")]
    private static partial void LogRunStarting(ILogger logger, long runId, SyncType type, bool resumed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sync run {RunId} failed as a whole; its checkpoints are kept for a retry")]
    private static partial void LogRunFailed(ILogger logger, long runId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Sync collection {Collection} of course {CourseId} failed ({Error}); the rest goes on")]
    private static partial void LogCollectionFailed(ILogger logger, string collection, long courseId, string error);
}
