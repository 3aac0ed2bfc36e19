using System.Data.Common;
using CanvasSync.Canvas;
using CanvasSync.Data;
using CanvasSync.Data.Mirror;

namespace CanvasSync.Features.SyncRuns;

/// <summary>The run's bookkeeping inside a page's transaction: checkpoints, counts, progress. Plain SQL both databases accept.</summary>
internal static class RunStore
{
    /// <summary>Opens collections; one already there (a page written again after a crash) is left as it is.</summary>
    public static async Task OpenAsync(DbConnection c, DbTransaction tx, long runId, IEnumerable<CheckpointWork> children, DateTime now,
        CancellationToken ct)
    {
        foreach (var child in children)
        {
            await using var cmd = Sql.Command(c, tx, """
                INSERT INTO sync_checkpoints (run_id, course_canvas_id, collection, next_page_url, done, items_fetched, updated_at)
                VALUES (@r, @course, @collection, @url, @f, 0, @now)
                ON CONFLICT (run_id, course_canvas_id, collection) DO NOTHING
                """);
            Sql.Add(cmd, "r", runId);
            Sql.Add(cmd, "course", child.CourseId);
            Sql.Add(cmd, "collection", child.Collection);
            Sql.Add(cmd, "url", child.NextPageUrl);
            Sql.Add(cmd, "f", false);
            Sql.Add(cmd, "now", now);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Moves a collection's cursor to Canvas's next link, or marks it done.</summary>
    public static async Task AdvanceAsync(DbConnection c, DbTransaction tx, long runId, CheckpointWork work, Uri? next, int items,
        DateTime now, CancellationToken ct)
    {
        await using var cmd = Sql.Command(c, tx, """
            UPDATE sync_checkpoints SET next_page_url = @next, done = @done, items_fetched = items_fetched + @n, updated_at = @now
            WHERE run_id = @r AND course_canvas_id = @course AND collection = @collection
            """);
        Sql.Add(cmd, "next", next?.OriginalString);
        Sql.Add(cmd, "done", next is null);
        Sql.Add(cmd, "n", items);
        Sql.Add(cmd, "now", now);
        Sql.Add(cmd, "r", runId);
        Sql.Add(cmd, "course", work.CourseId);
        Sql.Add(cmd, "collection", work.Collection);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task AddCountsAsync(DbConnection c, DbTransaction tx, long runId, IReadOnlyDictionary<string, WriteCounts> counts,
        CancellationToken ct)
    {
        foreach (var (entity, n) in counts)
        {
            await using var cmd = Sql.Command(c, tx, """
                INSERT INTO sync_run_counts (run_id, entity_type, created, updated, deleted, unchanged) VALUES (@r, @e, @c, @u, @d, @n)
                ON CONFLICT (run_id, entity_type) DO UPDATE SET created = sync_run_counts.created + excluded.created,
                  updated = sync_run_counts.updated + excluded.updated, deleted = sync_run_counts.deleted + excluded.deleted,
                  unchanged = sync_run_counts.unchanged + excluded.unchanged
                """);
            Sql.Add(cmd, "r", runId);
            Sql.Add(cmd, "e", entity);
            Sql.Add(cmd, "c", n.Created);
            Sql.Add(cmd, "u", n.Updated);
            Sql.Add(cmd, "d", n.Deleted);
            Sql.Add(cmd, "n", n.Unchanged);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    public static async Task AddDriftAsync(DbConnection c, DbTransaction tx, long runId,
        IReadOnlyDictionary<(string EntityType, string Field), (long Rows, long? Example)> drift, CancellationToken ct)
    {
        foreach (var ((entity, field), (rows, example)) in drift)
        {
            await using var cmd = Sql.Command(c, tx, """
                INSERT INTO sync_run_drift (run_id, entity_type, field, row_count, example_canvas_id) VALUES (@r, @e, @f, @n, @x)
                ON CONFLICT (run_id, entity_type, field) DO UPDATE SET row_count = sync_run_drift.row_count + excluded.row_count,
                  example_canvas_id = COALESCE(sync_run_drift.example_canvas_id, excluded.example_canvas_id)
                """);
            Sql.Add(cmd, "r", runId);
            Sql.Add(cmd, "e", entity);
            Sql.Add(cmd, "f", field);
            Sql.Add(cmd, "n", rows);
            Sql.Add(cmd, "x", example);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// The run's heartbeat, progress and the client's accounting (added to what earlier attempts recorded), with every
    /// page. False when <paramref name="node"/> no longer holds the run's lease: the page must not be committed.
    /// </summary>
    public static async Task<bool> ProgressAsync(DbConnection c, DbTransaction tx, long runId, string node, SyncProgress p,
        CanvasAccounting a, RunTotals before,
        DateTime now, CancellationToken ct)
    {
        await using var cmd = Sql.Command(c, tx, """
            UPDATE sync_runs SET heartbeat_at = @now, phase = @phase, percent = @pct, items_done = @done, requests = @req, pages = @pages,
              items = @items, bytes = @bytes, request_cost = @cost, throttled = @thr, retries = @ret
            WHERE id = @r AND lease_owner = @node
            """);
        Sql.Add(cmd, "now", now);
        Sql.Add(cmd, "phase", p.Phase);
        Sql.Add(cmd, "pct", p.Percent);
        Sql.Add(cmd, "done", p.ItemsDone);
        Sql.Add(cmd, "req", before.Requests + a.Requests);
        Sql.Add(cmd, "pages", before.Pages + a.Pages);
        Sql.Add(cmd, "items", before.Items + a.Items);
        Sql.Add(cmd, "bytes", before.Bytes + a.Bytes);
        Sql.Add(cmd, "cost", before.RequestCost + a.RequestCost);
        Sql.Add(cmd, "thr", before.Throttled + a.Throttled);
        Sql.Add(cmd, "ret", before.Retries + a.Retries);
        Sql.Add(cmd, "r", runId);
        Sql.Add(cmd, "node", node);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }
}

/// <summary>What a run's earlier attempts (before a crash) recorded, so totals carry on after a resume.</summary>
internal sealed record RunTotals(long Requests, long Pages, long Items, long Bytes, double RequestCost, long Throttled, long Retries,
    double ActiveSeconds, string PhaseSecondsJson)
{
    public static RunTotals Of(SyncRun r) =>
        new(r.Requests, r.Pages, r.Items, r.Bytes, r.RequestCost, r.Throttled, r.Retries, r.ActiveSeconds, r.PhaseSecondsJson);
}
