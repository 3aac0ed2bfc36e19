using CanvasSync.Canvas;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using Microsoft.EntityFrameworkCore;
using Prometheus;

namespace CanvasSync.Features.Monitoring;

/// <summary>
/// The figures at /metrics, in a registry of this app's own (two apps in one process, as in the tests, never mix).
/// Run figures are counted here as runs end on this node; Canvas traffic is this node's, copied from
/// <see cref="CanvasTraffic"/> at each scrape; the gauges of runs and connections are read from the database at each
/// scrape, so every node reports the same, whole-service values. No label carries a token, a URL or a user's name.
/// </summary>
internal sealed class SyncPrometheus : ISyncRunObserver
{
    /// <summary>1 s to 1 h: a small delta takes seconds, a large backfill most of an hour.</summary>
    private static readonly double[] DurationBuckets = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

    private readonly IDbContextFactory<CanvasSyncDbContext> _contexts;
    private readonly CanvasTraffic _traffic;
    private readonly TimeProvider _time;
    private readonly Counter _syncs;
    private readonly Histogram _duration;
    private readonly Counter _items;
    private readonly Counter _itemsRead;
    private readonly Counter _deltas;
    private readonly Counter _drift;
    private readonly Counter _requests;
    private readonly Counter _throttled;
    private readonly Gauge _remaining;
    private readonly Gauge _active;
    private readonly Gauge _queued;
    private readonly Gauge _connections;
    private readonly Gauge _stalest;

    public SyncPrometheus(IDbContextFactory<CanvasSyncDbContext> contexts, CanvasTraffic traffic, TimeProvider time)
    {
        _contexts = contexts;
        _traffic = traffic;
        _time = time;
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        _syncs = f.CreateCounter("canvas_sync_total", "Sync runs that ended on this node, by status and type.", ["status", "sync_type"]);
        _duration = f.CreateHistogram("canvas_sync_duration_seconds", "Time workers spent on each sync run that ended on this node.",
            new HistogramConfiguration { LabelNames = ["sync_type"], Buckets = DurationBuckets });
        _items = f.CreateCounter("canvas_sync_items_total",
            "Rows sync runs (not dry runs) handled on this node, by entity and what happened to them (created + updated + deleted: the runs' rows changed).",
            ["entity", "action"]);
        _itemsRead = f.CreateCounter("canvas_sync_items_read_total",
            "Items Canvas served the sync runs that ended on this node (the runs' items read).");
        _deltas = f.CreateCounter("canvas_sync_deltas_total",
            "Deltas that ended on this node, by how they learnt what changed (graphql: one query; rest: Canvas's listings, as when Canvas refuses GraphQL).",
            ["source"]);
        _drift = f.CreateCounter("canvas_sync_drift_rows_total",
            "Rows reconciles ending on this node had to write that a delta should have, by entity and field (target: none).",
                ["entity", "field"]);
        _requests = f.CreateCounter("canvas_api_requests_total",
            "Requests this node sent to Canvas, by the answer's status class (none: no answer).",
            ["status_class"]);
        _throttled = f.CreateCounter("canvas_api_throttled_total",
            "Canvas answers that were rate-limit refusals (403 Rate Limit Exceeded, 429).");
        _remaining = f.CreateGauge("canvas_api_rate_limit_remaining",
            "The X-Rate-Limit-Remaining of the last Canvas answer this node received.");
        _active = f.CreateGauge("canvas_sync_active", "Sync runs running now, on every node.");
        _queued = f.CreateGauge("canvas_sync_queue_depth", "Sync runs queued and not yet started, on every node.");
        _connections = f.CreateGauge("canvas_sync_connections", "Canvas connections by status.", ["status"]);
        _stalest = f.CreateGauge("canvas_sync_stalest_data_age_seconds",
            "Age of the oldest data among usable connections: since its newest complete sync, or since it connected if it never had one.");
        Registry.AddBeforeCollectCallback(RefreshAsync);
    }

    public CollectorRegistry Registry { get; }

    public Task RunEndedAsync(SyncRun run, CancellationToken ct)
    {
        var type = SnakeCase.From(run.Type.ToString());
        _syncs.WithLabels(SnakeCase.From(run.Status.ToString()), type).Inc();
        if (run.StartedAt is not null) _duration.WithLabels(type).Observe(RunFigures.DurationSeconds(run));
        _itemsRead.Inc(RunFigures.ItemsRead(run));
        if (run.DeltaSource is { } source) _deltas.WithLabels(source).Inc();
        if (run.DryRun) return Task.CompletedTask; // a preview changed nothing
        foreach (var c in run.Counts)
        {
            _items.WithLabels(c.EntityType, "created").Inc(c.Created);
            _items.WithLabels(c.EntityType, "updated").Inc(c.Updated);
            _items.WithLabels(c.EntityType, "deleted").Inc(c.Deleted);
            _items.WithLabels(c.EntityType, "unchanged").Inc(c.Unchanged);
        }

        foreach (var d in run.Drift) _drift.WithLabels(d.EntityType, d.Field).Inc(d.RowCount);

        return Task.CompletedTask;
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        for (var i = 0; i < CanvasTraffic.StatusClasses.Count; i++)
            _requests.WithLabels(CanvasTraffic.StatusClasses[i]).IncTo(_traffic.Requests(i));
        _throttled.IncTo(_traffic.ThrottledResponses);
        if (!double.IsNaN(_traffic.LastRemaining)) _remaining.Set(_traffic.LastRemaining);

        await using var db = _contexts.CreateDbContext(); // not a request's: every user's rows
        var unfinished = await db.SyncRuns.Unfinished()
            .GroupBy(r => r.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        _active.Set(unfinished.Where(u => u.Status == SyncStatus.Running).Sum(u => u.Count));
        _queued.Set(unfinished.Where(u => u.Status == SyncStatus.Queued).Sum(u => u.Count));

        var byStatus = await db.Connections.GroupBy(c => c.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        foreach (var status in Enum.GetValues<ConnectionStatus>())
            _connections.WithLabels(SnakeCase.From(status.ToString())).Set(byStatus.Where(s => s.Status == status).Sum(s => s.Count));

        var oldest = await db.Connections.Syncable()
            .Select(c => (DateTime?)(c.LastDeltaAt != null && c.LastDeltaAt > c.LastFullSyncAt ? c.LastDeltaAt : c.LastFullSyncAt
                ?? c.CreatedAt))
            .MinAsync(ct);
        _stalest.Set(oldest is { } at ? Math.Max(0, (_time.GetUtcNow().UtcDateTime - at).TotalSeconds) : 0);
    }
}
