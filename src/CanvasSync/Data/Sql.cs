using System.Data.Common;

namespace CanvasSync.Data;

/// <summary>Plain ADO.NET commands on either database, for the bulk writes and the few reads measured to need it.</summary>
internal static class Sql
{
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        return cmd;
    }

    /// <summary>Every row <paramref name="cmd"/> selects, each read by <paramref name="read"/>.</summary>
    public static async Task<List<T>> RowsAsync<T>(DbCommand cmd, Func<DbDataReader, T> read, CancellationToken ct)
    {
        var rows = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add(read(reader));
        return rows;
    }

    public static void Add(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = Value(value);
        cmd.Parameters.Add(p);
    }

    /// <summary>Nulls as DBNull; every DateTime as UTC (Npgsql insists, SQLite stores the text EF reads back).</summary>
    public static object Value(object? value) => value switch
    {
        null => DBNull.Value,
        DateTime d => DateTime.SpecifyKind(d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d, DateTimeKind.Utc),
        _ => value,
    };

    /// <summary>A DateTime column as UTC (SQLite hands back an unspecified kind).</summary>
    public static DateTime? Utc(DbDataReader r, int i) => r.IsDBNull(i) ? null : DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);

    public static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    public static double? Double(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    public static string? String(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
