using System.Collections.Concurrent;
using System.Diagnostics;
using CanvasSync.Canvas;
using CanvasSync.Data;
using Microsoft.EntityFrameworkCore;

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
        if (unfinished is not null) await SupersedeAsync(db, unfinished, "superseded by another sync", ct);
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

    /// <summary>Ends a dead worker's run before another takes its place, committed first so the unique index allows the new one.</summary>
    private async Task SupersedeAsync(CanvasSyncDbContext db, SyncRun unfinished, string why, CancellationToken ct)
    {
        unfinished.Status = SyncStatus.Cancelled;
        unfinished.FinishedAt = Now;
        unfinished.LeaseOwner = null;
        unfinished.ErrorMessage = why;
        await db.SaveChangesAsync(ct);
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
            // A dry run is never resumed (it wrote nothing to resume from), nor resumed as one. A queued run is started.
            if (!request.ForceRestart && unfinished.DryRun == request.DryRun && (!request.DryRun || unfinished.Status == SyncStatus.Queued)
                && unfinished.Type == type && unfinished.ScopeJson == scope)
            {
                run = unfinished;
                resumed = unfinished.Status == SyncStatus.Running;
            }
            else await SupersedeAsync(db, unfinished, request.ForceRestart ? "restarted from scratch (force_restart)" : "superseded by another sync", ct);
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
        run.LeaseOwner = Me;
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
        return (run, new RunContext(run.Id, connectionId, run.Type, SyncScope.FromJson(run.ScopeJson), run.StartedAt!.Value, since), resumed, new Uri(connection.BaseUrl));
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
        run.Checkpoints.Add(new SyncCheckpoint { CourseCanvasId = 0, Collection = "courses", NextPageUrl = CanvasPaths.Courses, UpdatedAt = now });
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
        await db.SyncRuns.Where(r => r.Id == s.Context.RunId).ExecuteUpdateAsync(u => u
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

    /// <summary>Someone else is running it: a live process on this host, or a fresh heartbeat from another host.</summary>
    private static bool IsAlive(SyncRun run, DateTime now)
    {
        if (run.LeaseOwner is null) return false;
        if (run.LeaseOwner.Split(':') is [var host, var pidText] && host == Environment.MachineName && int.TryParse(pidText, out var pid))
            return pid != Environment.ProcessId && ProcessIsRunning(pid);
        return run.HeartbeatAt is { } beat && now - beat < HeartbeatTimeout;
    }

    private static bool ProcessIsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
