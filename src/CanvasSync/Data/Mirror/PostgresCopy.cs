using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;

namespace CanvasSync.Data.Mirror;

/// <summary>
/// PostgreSQL's bulk path: the batch goes into a session temp table by binary COPY (one round trip, no parameters to
/// bind), then one INSERT ... SELECT ... ON CONFLICT DO UPDATE moves it into the mirror table.
/// </summary>
internal static class PostgresCopy
{
    /// <summary>Each mirror table's column types, read once: binary COPY must send every value as its column's exact type.</summary>
    private static readonly ConcurrentDictionary<string, Dictionary<string, NpgsqlDbType>> Types = new();

    public static async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string[] columns,
        string conflict,
        string set, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        var types = await TypesAsync(connection, transaction, table, ct);
        var stage = "cs_stage_" + table;
        var list = string.Join(", ", columns);
        // Lives for the session (a pooled connection's reset drops it); emptied first, as a page may write a table
        // twice. DELETE, not TRUNCATE: on a table this small it is far cheaper than a new file for the table.
        await ExecuteAsync(connection,
            transaction, $"CREATE TEMP TABLE IF NOT EXISTS {stage} AS SELECT {list} FROM {table} WITH NO DATA; DELETE FROM {stage}", ct);

        await using (var writer = await connection.BeginBinaryImportAsync($"COPY {stage} ({list}) FROM STDIN (FORMAT BINARY)", ct))
        {
            // The writer buffers; its synchronous calls only block when a buffer goes out, and cost far less CPU per value.
            foreach (var values in rows)
            {
                writer.StartRow();
                for (var c = 0; c < columns.Length; c++)
                {
                    var type = types[columns[c]];
                    if (values[c] is null) writer.WriteNull();
                    else writer.Write(As(values[c]!, type), type);
                }
            }

            await writer.CompleteAsync(ct);
        }

        await ExecuteAsync(connection,
            transaction, $"INSERT INTO {table} ({list}) SELECT {list} FROM {stage} ON CONFLICT ({conflict}) DO UPDATE SET {set}", ct);
    }

    /// <summary>The value as the CLR type COPY writes for the column (a long for an integer column would be refused).</summary>
    private static object As(object value, NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Integer => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture),
        NpgsqlDbType.Bigint => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        NpgsqlDbType.Smallint => Convert.ToInt16(value, System.Globalization.CultureInfo.InvariantCulture),
        NpgsqlDbType.Double => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
        NpgsqlDbType.Real => Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture),
        NpgsqlDbType.Numeric => Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture),
        NpgsqlDbType.TimestampTz when value is DateTime d => DateTime.SpecifyKind(d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d,
            DateTimeKind.Utc),
        _ => value,
    };

    private static async Task<Dictionary<string, NpgsqlDbType>> TypesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string table, CancellationToken ct)
    {
        if (Types.TryGetValue(table, out var known)) return known;
        var types = new Dictionary<string, NpgsqlDbType>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @t", connection, transaction))
        {
            cmd.Parameters.AddWithValue("t", table);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) types[reader.GetString(0)] = TypeOf(reader.GetString(1));
        }

        return Types[table] = types;
    }

    private static NpgsqlDbType TypeOf(string dataType) => dataType switch
    {
        "integer" => NpgsqlDbType.Integer,
        "bigint" => NpgsqlDbType.Bigint,
        "smallint" => NpgsqlDbType.Smallint,
        "double precision" => NpgsqlDbType.Double,
        "real" => NpgsqlDbType.Real,
        "numeric" => NpgsqlDbType.Numeric,
        "boolean" => NpgsqlDbType.Boolean,
        "timestamp with time zone" => NpgsqlDbType.TimestampTz,
        "timestamp without time zone" => NpgsqlDbType.Timestamp,
        "text" or "character varying" => NpgsqlDbType.Text,
        _ => throw new NotSupportedException($"mirror column type {dataType} has no COPY mapping"),
    };

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, transaction);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
