using System.Collections.Concurrent;
using System.Data.Common;
using CanvasSync.Canvas;
using CanvasSync.Cluster;
using CanvasSync.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Features.SyncRuns;

/// <summary>A run's life before and after its pages: queueing, starting or resuming, one run per connection, release.</summary>
public sealed partial class SyncEngine
{
    /// <summary>Connections this process is syncing right now, with their run (0 while it starts).</summary>
    private readonly ConcurrentDictionary<long, ActiveRun> _active = new();

    /// <summary>
    /// Records a run as queued (with its first checkpoint, so whoever picks it up starts from there) and returns its
    /// id. A connection with a run already queued or running gets that run's id instead, with <c>Existing</c> set.
    /// </summary>
    public async Task<(long RunId, bool Existing)> QueueAsync(long connectionId, SyncRequest request, CancellationToken ct)
    {
        if (_active.TryGetValue(connectionId, out var here) && here.RunId != 0) return (here.RunId, true);
        await using var db = database.CreateContext();
        var unfinished = await db.SyncRuns.Where(r => r.ConnectionId == connectionId && (r.Status == SyncStatus.Running || r.Status == SyncStatus.Queued))
            .OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        // This process starting or running the connection's sync (its run id not yet known to _active) is alive too:
        // IsAlive looks at other processes only, and without this a trigger in that instant superseded the run.
        if (unfinished is not null && (unfinished.Status == SyncStatus.Queued || IsAlive(unfinished, Now) || _active.ContainsKey(connectionId)))
            return (unfinished.Id, true);

        var connection = await db.Connections.SingleAsync(c => c.Id == connectionId, ct);
        if (unfinished is not null && !await SupersedeAsync(db, unfinished, "superseded by another sync", ct)) return (unfinished.Id, true);
        var run = NewRun(connectionId, EffectiveType(request, connection.LastFullSyncAt), request, SyncStatus.Queued);
        db.SyncRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
            return (run.Id, false);
        }
        catch (DbUpdateException)
        {
            // Another process queued one in the same instant (the one-unfinished-run index): that one is the answer.
            return await UnfinishedRunOfAsync(connectionId, ct) is { } other ? (other, true) : throw new InvalidOperationException("the run could not be queued");
        }
    }

    private async Task<long?> UnfinishedRunOfAsync(long connectionId, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        return await db.SyncRuns.Where(r => r.ConnectionId == connectionId && (r.Status == SyncStatus.Running || r.Status == SyncStatus.Queued))
            .Select(r => (long?)r.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Ends a dead worker's run before another takes its place, committed first so the unique index allows the new one.
    /// False when someone took the run over since it was read (see <see cref="StillAsRead"/>).
    /// </summary>
    private async Task<bool> SupersedeAsync(CanvasSyncDbContext db, SyncRun unfinished, string why, CancellationToken ct)
    {
        var now = Now;
        return await StillAsRead(db, unfinished).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.Status, SyncStatus.Cancelled)
            .SetProperty(r => r.FinishedAt, now)
            .SetProperty(r => r.LeaseOwner, (string?)null)
            .SetProperty(r => r.ErrorMessage, why), ct) == 1;
    }

    /// <summary>
    /// The run's row if it is unchanged in who holds it since <paramref name="read"/> was read. Taking a run over is
    /// a compare-and-set on this: of two nodes that both saw a dead lease (or one queued run), one wins.
    /// </summary>
    private static IQueryable<SyncRun> StillAsRead(CanvasSyncDbContext db, SyncRun read)
    {
        var (status, owner, renewed) = (read.Status, read.LeaseOwner, read.HeartbeatAt);
        return db.SyncRuns.Where(r => r.Id == read.Id && r.Status == status && r.LeaseOwner == owner && r.HeartbeatAt == renewed);
    }

    /// <summary>
    /// Runs nobody is working on: queued ones and running ones whose worker is gone (a crash, a kill, a shutdown).
    /// The service resumes these at start-up.
    /// </summary>
    public async Task<IReadOnlyList<(long RunId, long ConnectionId)>> OrphanedRunsAsync(CancellationToken ct)
    {
        await using var db = database.CreateContext();
        var now = Now;
        var unfinished = await db.SyncRuns.AsNoTracking().Where(r => r.Status == SyncStatus.Running || r.Status == SyncStatus.Queued).ToListAsync(ct);
        return unfinished.Where(r => !_active.ContainsKey(r.ConnectionId) && (r.Status == SyncStatus.Queued || !IsAlive(r, now)))
            .Select(r => (r.Id, r.ConnectionId)).ToList();
    }

    /// <summary>
    /// Puts running runs whose node is gone (its lease lapsed, or it let go at shutdown) back in the queue, each by a
    /// compare-and-set, so of several nodes looking at once one requeues it. Returns the runs it requeued: each needs
    /// a job. Their checkpoints stay, so whoever starts them resumes them.
    /// </summary>
    public async Task<IReadOnlyList<(long RunId, long ConnectionId)>> RequeueAbandonedAsync(CancellationToken ct)
    {
        await using var db = database.CreateContext();
        var now = Now;
        // A dry run is never resumed (it kept nothing); the next sync of its connection supersedes it.
        var running = await db.SyncRuns.AsNoTracking().Where(r => r.Status == SyncStatus.Running && !r.DryRun).ToListAsync(ct);
        var requeued = new List<(long, long)>();
        foreach (var run in running.Where(r => !_active.ContainsKey(r.ConnectionId) && !IsAlive(r, now)))
        {
            var changed = await StillAsRead(db, run).ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, SyncStatus.Queued)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.HeartbeatAt, (DateTime?)null), ct);
            if (changed == 1) requeued.Add((run.Id, run.ConnectionId));
        }

        return requeued;
    }

    /// <summary>
    /// Queues a delta of each connection (a full sync where there is nothing to start a delta from) in one
    /// transaction: the scheduler's batch. If a connection got an unfinished run meanwhile, the batch is queued one
    /// by one instead and that connection is left out. Returns the runs queued.
    /// </summary>
    public async Task<IReadOnlyList<(long RunId, long ConnectionId, SyncType Type)>> QueueDeltasAsync(IReadOnlyCollection<long> connectionIds, CancellationToken ct)
    {
        var request = new SyncRequest(SyncType.Delta, new SyncScope());
        await using var db = database.CreateContext();
        var lastFull = await db.Connections.AsNoTracking().Where(c => connectionIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.LastFullSyncAt, ct);
        var runs = lastFull.Select(c => NewRun(c.Key, EffectiveType(request, c.Value), request, SyncStatus.Queued)).ToList();
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
                var (id, existing) = await QueueAsync(run.ConnectionId, request, ct);
                if (!existing) queued.Add((id, run.ConnectionId, run.Type));
            }

            return queued;
        }
    }

    /// <summary>Resumes the connection's unfinished run if it matches (or a dead worker left it), else starts a new one.</summary>
    private async Task<(SyncRun, RunContext, bool Resumed, Uri BaseUrl)> StartRunAsync(long connectionId, SyncRequest request, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        var connection = await db.Connections.SingleAsync(c => c.Id == connectionId, ct);
        var now = Now;
        var lastComplete = new[] { connection.LastFullSyncAt, connection.LastDeltaAt }.Max();
        var type = EffectiveType(request, connection.LastFullSyncAt);
        var scope = request.Scope.ToJson();

        var unfinished = await db.SyncRuns.Where(r => r.ConnectionId == connectionId && (r.Status == SyncStatus.Running || r.Status == SyncStatus.Queued))
            .OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        SyncRun? run = null;
        var resumed = false;
        if (unfinished is not null)
        {
            if (unfinished.Status == SyncStatus.Running && IsAlive(unfinished, now)) throw new SyncAlreadyRunningException(unfinished.Id);
            var alreadyRunning = new SyncAlreadyRunningException(unfinished.Id);
            // A dry run is never resumed (it wrote nothing to resume from), nor resumed as one. A queued run is started.
            if (!request.ForceRestart && unfinished.DryRun == request.DryRun && (!request.DryRun || unfinished.Status == SyncStatus.Queued)
                && unfinished.Type == type && unfinished.ScopeJson == scope)
            {
                run = unfinished;
                // Running: its node died or let go. Queued after an attempt: requeued by a reclaimer. Either resumes.
                resumed = unfinished.Status == SyncStatus.Running || unfinished.Attempt > 0;
            }
            else if (!await SupersedeAsync(db, unfinished, request.ForceRestart ? "restarted from scratch (force_restart)" : "superseded by another sync", ct))
                throw alreadyRunning;

            // Another node may have started or resumed it since it was read: take it only if nobody has.
            if (run is not null && await StillAsRead(db, run).ExecuteUpdateAsync(u => u
                    .SetProperty(r => r.Status, SyncStatus.Running).SetProperty(r => r.LeaseOwner, node.Name).SetProperty(r => r.HeartbeatAt, now), ct) == 0)
                throw alreadyRunning;
        }

        if (run is null)
        {
            run = NewRun(connectionId, type, request, SyncStatus.Running);
            db.SyncRuns.Add(run);
        }

        // What the last complete run of this kind read is the best guess of what this one will (for percent and ETA).
        run.ItemsEstimated ??= await db.SyncRuns.AsNoTracking()
            .Where(r => r.ConnectionId == connectionId && r.Type == type && !r.DryRun && r.ScopeJson == scope && r.Status == SyncStatus.Completed)
            .OrderByDescending(r => r.Id).Select(r => (long?)r.ItemsDone).FirstOrDefaultAsync(ct);
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
            throw await UnfinishedRunOfAsync(connectionId, ct) is { } other ? new SyncAlreadyRunningException(other) : (Exception)new InvalidOperationException("the run could not be started");
        }
        var since = run.Type == SyncType.Delta && lastComplete is { } last ? last - DeltaOverlap : (DateTime?)null;
        return (run, new RunContext(run.Id, connectionId, run.Type, SyncScope.FromJson(run.ScopeJson), connection.BaseUrl, run.StartedAt!.Value, since), resumed, new Uri(connection.BaseUrl));
    }

    /// <summary>A delta needs a complete sync to start from; without one it is a full sync.</summary>
    private static SyncType EffectiveType(SyncRequest request, DateTime? lastFullSyncAt) =>
        request.Type == SyncType.Delta && lastFullSyncAt is null ? SyncType.Full : request.Type;

    private SyncRun NewRun(long connectionId, SyncType type, SyncRequest request, SyncStatus status)
    {
        var now = Now;
        var run = new SyncRun
        {
            ConnectionId = connectionId,
            Type = type,
            ScopeJson = request.Scope.ToJson(),
            DryRun = request.DryRun,
            Status = status,
            QueuedAt = now,
            StartedAt = status == SyncStatus.Running ? now : null,
        };
        var root = SyncedCollections.Root;
        run.Checkpoints.Add(new SyncCheckpoint { CourseCanvasId = root.CourseId, Collection = root.Collection, NextPageUrl = root.NextPageUrl, UpdatedAt = now });
        return run;
    }

    /// <summary>
    /// Interrupted by shutdown: what was fetched is committed with its checkpoints; the run stays running with no
    /// lease, so the next start (this node or another) resumes it at once instead of waiting for the heartbeat to age.
    /// </summary>
    private async Task<SyncResult> ReleaseAsync(RunState s, bool resumed, TimeSpan duration)
    {
        var phases = s.Phases.ToJson(s.Before.PhaseSecondsJson);
        await using var db = database.CreateContext();
        var a = s.Session.Accounting;
        await db.SyncRuns.Where(r => r.Id == s.Context.RunId && r.LeaseOwner == node.Name).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.LeaseOwner, (string?)null)
            .SetProperty(r => r.HeartbeatAt, (DateTime?)null)
            .SetProperty(r => r.Requests, s.Before.Requests + a.Requests)
            .SetProperty(r => r.Throttled, s.Before.Throttled + a.Throttled)
            .SetProperty(r => r.Retries, s.Before.Retries + a.Retries)
            .SetProperty(r => r.ActiveSeconds, s.Before.ActiveSeconds + duration.TotalSeconds)
            .SetProperty(r => r.PhaseSecondsJson, phases));
        return new SyncResult(s.Context.RunId, SyncStatus.Running, s.Context.Type, resumed, duration, s.Before.Requests + a.Requests,
            s.Before.Throttled + a.Throttled, s.Before.Retries + a.Retries, new Dictionary<string, EntityCounts>(), s.Errors.ToList());
    }

    /// <summary>One run per connection in this process; across processes the run row's lease and heartbeat decide.</summary>
    private ActiveRun EnterConnection(long connectionId)
    {
        var slot = new ActiveRun(this, connectionId);
        return _active.TryAdd(connectionId, slot) ? slot : throw new SyncAlreadyRunningException(_active.TryGetValue(connectionId, out var other) ? other.RunId : 0);
    }

    /// <summary>
    /// Cancels a run this process is working on: it stops at the next page boundary with what was fetched committed.
    /// False when the run is not running here.
    /// </summary>
    public bool TryCancel(long runId)
    {
        var active = _active.Values.FirstOrDefault(a => a.RunId == runId);
        if (active is null) return false;
        active.Cancel.Cancel();
        return true;
    }

    private sealed class ActiveRun(SyncEngine engine, long connectionId) : IDisposable
    {
        public long RunId { get; set; }
        public CancellationTokenSource Cancel { get; } = new();

        public void Dispose()
        {
            engine._active.TryRemove(new KeyValuePair<long, ActiveRun>(connectionId, this));
            Cancel.Dispose();
        }
    }

    /// <summary>Someone else is running it: see <see cref="NodeIdentity.IsAlive"/>.</summary>
    private bool IsAlive(SyncRun run, DateTime now) => node.IsAlive(run.LeaseOwner, run.HeartbeatAt, now);

    /// <summary>
    /// Renews the run's lease every third of its length while the run goes on, so a page that takes long (a throttled
    /// Canvas) never looks like a dead node. Finding the lease taken stops the run: it is another node's now.
    /// </summary>
    private async Task KeepLeaseAsync(RunState s, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(node.RenewEvery, time, ct);
                await using var db = database.CreateContext();
                var now = Now;
                var held = db.SyncRuns.Where(r => r.Id == s.Context.RunId && r.LeaseOwner == node.Name);
                if (await held.ExecuteUpdateAsync(u => u.SetProperty(r => r.HeartbeatAt, now), ct) == 0)
                {
                    await LoseLeaseAsync(s);
                    return;
                }

                // A cancel asked on another node (SyncControl.CancelAsync) reaches the run here.
                if (await held.AnyAsync(r => r.CancelRequested, ct)) TryCancel(s.Context.RunId);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbException or DbUpdateException or TimeoutException)
            {
                // The database is briefly away: the next try renews, and the lease outlasts two misses.
                LogLeaseRenewalFailed(logger, s.Context.RunId, e.GetType().Name);
            }
        }
    }

    /// <summary>Stops the run for good on this node: another node holds it now.</summary>
    private async Task LoseLeaseAsync(RunState s)
    {
        if (!s.LeaseLost) LogLeaseLost(logger, s.Context.RunId);
        s.LeaseLost = true;
        await s.Stop!.CancelAsync();
    }

    private static OperationCanceledException LeaseTaken() => new("the run's lease was taken by another node");

    /// <summary>A run left to another node: what this attempt did is committed page by page, nothing else is written.</summary>
    private static SyncResult Abandoned(RunState s, bool resumed, TimeSpan duration) =>
        new(s.Context.RunId, SyncStatus.Running, s.Context.Type, resumed, duration, s.Before.Requests + s.Session.Accounting.Requests,
            s.Before.Throttled + s.Session.Accounting.Throttled, s.Before.Retries + s.Session.Accounting.Retries, new Dictionary<string, EntityCounts>(), s.Errors.ToList());

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync run {RunId}: renewing its lease failed ({Error}); trying again")]
    private static partial void LogLeaseRenewalFailed(ILogger logger, long runId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync run {RunId}: another node holds its lease now; this node stops working on it")]
    private static partial void LogLeaseLost(ILogger logger, long runId);
}
