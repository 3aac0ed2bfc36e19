using System.Data.Common;
using System.Globalization;

namespace CanvasSync.Data;

/// <summary>
/// Hands out a connection's change versions: one per writing transaction, stamped on every row it changes. The counter
/// row is updated inside that transaction, so on PostgreSQL a second writer waits for the first to commit (and SQLite
/// has one writer anyway): versions become visible in order, and a change-feed reader never sees version N+1 before N.
/// </summary>
internal static class ChangeVersions
{
    public static async Task<long> NextAsync(DbConnection connection, DbTransaction transaction, long connectionId, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = "UPDATE canvas_connections SET change_version = change_version + 1 WHERE id = @c RETURNING change_version";
        var p = cmd.CreateParameter();
        p.ParameterName = "c";
        p.Value = connectionId;
        cmd.Parameters.Add(p);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}

/// <summary>What a writing transaction stamps on the rows it changes: its change version and its clock.</summary>
internal readonly record struct ChangeStamp(long Version, DateTime Now);
