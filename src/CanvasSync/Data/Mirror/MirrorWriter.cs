using System.Data.Common;
using System.Text;

namespace CanvasSync.Data.Mirror;

/// <summary>How a batch of rows landed.</summary>
internal record struct WriteCounts(long Created, long Updated, long Unchanged, long Deleted)
{
    public static WriteCounts operator +(WriteCounts a, WriteCounts b) =>
        new(a.Created + b.Created, a.Updated + b.Updated, a.Unchanged + b.Unchanged, a.Deleted + b.Deleted);
}

/// <summary>
/// The counts, the ids of rows that were created or changed (e.g. groups whose members moved) and, when asked for,
/// each written row with the JSON it replaced (null: the row is new, or back from a tombstone).
/// </summary>
internal sealed record WriteResult(WriteCounts Counts, IReadOnlyList<long> Written, IReadOnlyList<(MirrorRow Row, string? OldRaw)> Changes);

/// <summary>
/// Writes mirrored rows in bulk on either database: the existing hashes of the batch are read, new and changed rows
/// are upserted (ON CONFLICT DO UPDATE) with the transaction's change stamp, and unchanged rows only have last_seen_at
/// moved (deletion detection needs it; the change feed does not see it). first_seen_at is never overwritten.
/// </summary>
internal static class MirrorWriter
{
    /// <param name="runStart">
    /// The run's start: a row this run already wrote or saw (a classmate in the rosters of four courses) is counted
    /// once, so a run's counts are rows, not writes.
    /// </param>
    public static async Task<WriteResult> UpsertAsync(DbConnection connection, DbTransaction transaction, MirrorTable table,
        long connectionId,
        IReadOnlyList<MirrorRow> rows, ChangeStamp stamp, DateTime runStart, CancellationToken ct, bool keepOld = false)
    {
        if (rows.Count == 0) return new WriteResult(default, [], []);
        // A batch may carry one item twice (a classmate in two sections): the last one wins.
        var batch = rows.GroupBy(r => r.Key).Select(g => g.Last()).ToList();
        var existing = await ByKeyAsync(connection, transaction, table, connectionId, batch,
            "content_hash, deleted_at IS NOT NULL, last_seen_at >= @since",
            r => (Hash: r.GetString(1), Deleted: r.GetBoolean(2), SeenThisRun: r.GetBoolean(3)), ct, runStart);

        var write = new List<MirrorRow>();
        var touch = new List<MirrorRow>();
        long created = 0, updated = 0, unchanged = 0;
        foreach (var row in batch)
        {
            if (!existing.TryGetValue(row.Key, out var old)) { created++; write.Add(row); }
            else if (old.Hash != row.ContentHash || old.Deleted)
            {
                write.Add(row);
                if (!old.SeenThisRun) updated++;
            }
            else
            {
                touch.Add(row);
                if (!old.SeenThisRun) unchanged++;
            }
        }

        // Read before they are overwritten, and only for the few rows that changed.
        var replaced = keepOld
            ? await ByKeyAsync(connection, transaction, table, connectionId,
                write.Where(r => existing.TryGetValue(r.Key, out var e) && !e.Deleted).ToList(),
                "raw_json", r => r.GetString(1), ct)
            : new Dictionary<string, string>();
        if (write.Count > 0) await InsertOrUpdateAsync(connection, transaction, table, connectionId, write, stamp, ct);
        if (touch.Count > 0)
        {
            // The id list uses the index; planner items also match on their full key (type:id).
            await using var cmd = Sql.Command(connection,
                transaction, $"UPDATE {table.Name} SET last_seen_at = @now WHERE connection_id = @c AND canvas_id IN ({In(touch.Count)})"
                + (table.KeyedByPlannableType ? $" AND {KeyExpression(table)} IN ({In(touch.Count, "k")})" : ""));
            Sql.Add(cmd, "now", stamp.Now);
            Sql.Add(cmd, "c", connectionId);
            for (var i = 0; i < touch.Count; i++)
            {
                Sql.Add(cmd, "p" + i, touch[i].CanvasId);
                if (table.KeyedByPlannableType) Sql.Add(cmd, "k" + i, touch[i].Key);
            }

            await cmd.ExecuteNonQueryAsync(ct);
        }

        return new WriteResult(new WriteCounts(created, updated, unchanged, 0), write.Select(r => r.CanvasId).ToList(),
            keepOld ? write.Select(r => (r, replaced.GetValueOrDefault(r.Key))).ToList() : []);
    }

    private static string KeyExpression(MirrorTable table) =>
        table.KeyedByPlannableType ? "plannable_type || ':' || CAST(canvas_id AS TEXT)" : "CAST(canvas_id AS TEXT)";

    /// <summary>
    /// After a complete listing: rows in scope that this run did not see get deleted_at (a tombstone; never a hard
    /// delete). <paramref name="scope"/> is an extra condition such as "course_canvas_id = @s".
    /// </summary>
    public static async Task<long> MarkUnseenDeletedAsync(DbConnection connection, DbTransaction transaction, MirrorTable table,
        long connectionId,
        string? scope, long? scopeValue, DateTime seenSince, ChangeStamp stamp, CancellationToken ct)
    {
        await using var cmd = Sql.Command(connection, transaction,
            $"UPDATE {table.Name} SET {Tombstone} WHERE connection_id = @c AND deleted_at IS NULL AND last_seen_at < @since"
            + (scope is null ? "" : " AND " + scope));
        AddStamp(cmd, stamp);
        Sql.Add(cmd, "c", connectionId);
        Sql.Add(cmd, "since", seenSince);
        if (scopeValue is { } v) Sql.Add(cmd, "s", v);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The SET clause of a tombstone; its parameters come from <see cref="AddStamp"/>.</summary>
    public const string Tombstone = "deleted_at = @now, change_version = @version, changed_at = @now";

    public static void AddStamp(DbCommand cmd, ChangeStamp stamp)
    {
        Sql.Add(cmd, "now", stamp.Now);
        Sql.Add(cmd, "version", stamp.Version);
    }

    /// <summary>
    /// The stored rows of <paramref name="rows"/> by key, each read by <paramref name="read"/> from
    /// <paramref name="columns"/> (which follow the key).
    /// </summary>
    private static async Task<Dictionary<string, T>> ByKeyAsync<T>(DbConnection connection, DbTransaction transaction, MirrorTable table,
        long connectionId,
        List<MirrorRow> rows, string columns, Func<DbDataReader, T> read, CancellationToken ct, DateTime? since = null)
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        if (rows.Count == 0) return result;
        var ids = rows.Select(r => r.CanvasId).Distinct().ToList();
        await using var cmd = Sql.Command(connection, transaction,
            $"SELECT {KeyExpression(table)}, {columns} FROM {table.Name} WHERE connection_id = @c AND canvas_id IN ({In(ids.Count)})");
        Sql.Add(cmd, "c", connectionId);
        if (since is { } s) Sql.Add(cmd, "since", s);
        for (var i = 0; i < ids.Count; i++) Sql.Add(cmd, "p" + i, ids[i]);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[reader.GetString(0)] = read(reader);
        return result;
    }

    /// <summary>
    /// SQLite: one prepared single-row upsert run per row (it resolves parameter names by linear search, so a
    /// thousand-parameter statement costs quadratic time). PostgreSQL: binary COPY into a temp table, then one
    /// INSERT ... SELECT ... ON CONFLICT (<see cref="PostgresCopy"/>).
    /// </summary>
    private static async Task InsertOrUpdateAsync(DbConnection connection, DbTransaction transaction, MirrorTable table, long connectionId,
        List<MirrorRow> rows, ChangeStamp stamp, CancellationToken ct)
    {
        var columns = new[] { "connection_id", "canvas_id", "raw_json", "content_hash", "first_seen_at", "last_seen_at", "deleted_at",
            "created_version", "change_version", "changed_at" }
            .Concat(table.Columns).ToArray();
        var conflict = table.KeyedByPlannableType ? "connection_id, plannable_type, canvas_id" : "connection_id, canvas_id";
        // A row back from a tombstone counts as created again: a feed reader deleted it.
        var set = string.Join(", ",
            columns.Where(c => c is not ("connection_id" or "canvas_id" or "first_seen_at" or "plannable_type" or "created_version"))
            .Select(c => $"{c} = excluded.{c}")
            .Append($"created_version = CASE WHEN {table.Name}.deleted_at IS NULL THEN {table.Name}.created_version ELSE excluded.created_version END"));
        var now = stamp.Now;
        var v = stamp.Version;
        if (connection is Microsoft.Data.Sqlite.SqliteConnection)
        {
            await using var one = Sql.Command(connection, transaction,
                $"INSERT INTO {table.Name} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@v" + i))}) ON CONFLICT ({conflict}) DO UPDATE SET {set}");
            for (var c = 0; c < columns.Length; c++) Sql.Add(one, "v" + c, null);
            foreach (var row in rows)
            {
                object?[] values = [connectionId, row.CanvasId, row.RawJson, row.ContentHash, now, now, null, v, v, now, .. row.Values];
                for (var c = 0; c < values.Length; c++) one.Parameters[c].Value = Sql.Value(values[c]);
                await one.ExecuteNonQueryAsync(ct);
            }

            return;
        }

        await PostgresCopy.UpsertAsync((Npgsql.NpgsqlConnection)connection, (Npgsql.NpgsqlTransaction)transaction, table.Name, columns,
            conflict, set,
            rows.Select(row => (object?[])[connectionId, row.CanvasId, row.RawJson, row.ContentHash, now, now, null, v, v, now,
                .. row.Values]), ct);
    }

    private static string In(int count, string prefix = "p") => string.Join(", ", Enumerable.Range(0, count).Select(i => $"@{prefix}{i}"));
}
