using System.Data.Common;
using System.Globalization;
using CanvasSync.Data;
using CanvasSync.Data.Mirror;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// One page's write, as a collection sees it: its run, its checkpoint, whether it is the listing's last page, and the
/// few things a page may do (upsert rows, tombstone what a complete listing did not show, open collections). Runs
/// inside the page's transaction, and every row it changes carries the page's change stamp.
/// </summary>
internal sealed class PageWrite(DbConnection connection, DbTransaction transaction, RunContext run, CheckpointWork work, bool done,
    ChangeStamp stamp, PageEffects effects, CancellationToken ct)
{
    public RunContext Run { get; } = run;
    public CheckpointWork Work { get; } = work;
    public long CourseId => Work.CourseId;

    /// <summary>This page is the listing's last: the listing is complete, so what it did not show is gone.</summary>
    public bool Done { get; } = done;

    /// <summary>When this page is written (the change stamp's time).</summary>
    public DateTime Now => stamp.Now;

    public async Task<WriteResult> UpsertAsync(MirrorTable table, IEnumerable<MirrorRow?> rows)
    {
        var result = await MirrorWriter.UpsertAsync(connection, transaction, table, Run.ConnectionId, rows.OfType<MirrorRow>().ToList(),
            stamp, Run.SeenSince, ct,
            keepOld: CountsDrift(table));
        effects.Count(table.EntityType, result.Counts);
        foreach (var (row, oldRaw) in result.Changes)
        {
            foreach (var field in Drift.Of(oldRaw, row.RawJson, Run.ChangesSince))
                effects.AddDrift(table.EntityType, field, 1, row.CanvasId);
        }

        return result;
    }

    /// <summary>Rows of <paramref name="table"/> (within <paramref name="scope"/>, e.g. "course_canvas_id = @s") not seen since the run
    /// started.</summary>
    public async Task DeleteUnseenAsync(MirrorTable table, string? scope = null, long? scopeValue = null)
    {
        var deleted = await MirrorWriter.MarkUnseenDeletedAsync(connection, transaction, table, Run.ConnectionId, scope, scopeValue,
            Run.SeenSince, stamp, ct);
        CountDeleted(table, deleted);
    }

    /// <summary>Rows of <paramref name="table"/> in this page's course not seen since the run started (a course's complete
    /// listing).</summary>
    public Task DeleteUnseenInCourseAsync(MirrorTable table) => DeleteUnseenAsync(table, "course_canvas_id = @s", CourseId);

    /// <summary>
    /// Tombstones the live rows of <paramref name="table"/> that match <paramref name="where"/> (with @c, @s and
    /// <paramref name="parameters"/> bound): children of a deleted parent, rows Canvas stopped listing.
    /// </summary>
    public async Task TombstoneAsync(MirrorTable table, string where, long scopeValue, params (string Name, object Value)[] parameters)
    {
        await using var cmd = Command($"UPDATE {table.Name} SET {MirrorWriter.Tombstone} WHERE connection_id = @c AND deleted_at IS NULL AND {where}");
        MirrorWriter.AddStamp(cmd, stamp);
        Sql.Add(cmd, "s", scopeValue);
        foreach (var (name, value) in parameters) Sql.Add(cmd, name, value);
        CountDeleted(table, await cmd.ExecuteNonQueryAsync(ct));
    }

    /// <summary>Tombstones are counted; in a reconcile they are drift too (a delta should have seen the row go).</summary>
    private void CountDeleted(MirrorTable table, long deleted)
    {
        effects.Count(table.EntityType, new WriteCounts(0, 0, 0, deleted));
        if (deleted > 0 && CountsDrift(table)) effects.AddDrift(table.EntityType, Drift.Deleted, deleted, null);
    }

    /// <summary>A reconcile's writes are drift in the tables a delta reads only in part
    /// (<see cref="MirrorTable.DeltaReadsPart"/>).</summary>
    private bool CountsDrift(MirrorTable table) => Run.Type == SyncType.Reconcile && table.DeltaReadsPart;

    /// <summary>A collection to read next, committed with this page (opening one twice is harmless).</summary>
    public void Open(long courseId, string collection, string firstPageUrl) => effects.Open(courseId, collection, firstPageUrl);

    /// <summary>The ids <paramref name="sql"/> selects (first column), with @c bound to the connection.</summary>
    public Task<List<long>> IdsAsync(string sql, params (string Name, object Value)[] parameters) =>
        RowsAsync(sql, r => r.GetInt64(0), parameters);

    /// <summary>The rows <paramref name="sql"/> selects, each read by <paramref name="read"/>, with @c bound to the connection.</summary>
    public async Task<List<T>> RowsAsync<T>(string sql, Func<DbDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        await using var cmd = Command(sql);
        foreach (var (name, value) in parameters) Sql.Add(cmd, name, value);
        return await Sql.RowsAsync(cmd, read, ct);
    }

    /// <summary>The ids among <paramref name="ids"/> that <paramref name="table"/> holds live (not tombstoned).</summary>
    public async Task<HashSet<long>> LiveIdsAsync(MirrorTable table, IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0) return [];
        var (list, parameters) = InList(ids.ToList());
        return [.. await IdsAsync($"SELECT canvas_id FROM {table.Name} WHERE connection_id = @c AND deleted_at IS NULL AND canvas_id IN ({list})", parameters)];
    }

    /// <summary>"@p0, @p1, …" for an IN list, and its parameters.</summary>
    public static (string List, (string Name, object Value)[] Parameters) InList(IReadOnlyList<long> ids) =>
        (string.Join(", ", ids.Select((_, i) => "@p" + i)), ids.Select((id, i) => ("p" + i, (object)id)).ToArray());

    /// <summary>Unfinished checkpoints of this course whose collection is LIKE <paramref name="like"/>, other than this one.</summary>
    public async Task<long> OtherUnfinishedAsync(string like)
    {
        await using var cmd = Sql.Command(connection, transaction,
            "SELECT COUNT(*) FROM sync_checkpoints WHERE run_id = @r AND course_canvas_id = @s AND collection LIKE @like AND collection <> @self AND done = @f");
        Sql.Add(cmd, "r", Run.RunId);
        Sql.Add(cmd, "s", CourseId);
        Sql.Add(cmd, "like", like);
        Sql.Add(cmd, "self", Work.Collection);
        Sql.Add(cmd, "f", false);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private DbCommand Command(string sql)
    {
        var cmd = Sql.Command(connection, transaction, sql);
        Sql.Add(cmd, "c", Run.ConnectionId);
        return cmd;
    }
}
