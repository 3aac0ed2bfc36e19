using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CanvasSync.Data;

internal enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// Where the data lives, from --db / CANVASSYNC_DB / Database:Connection: "sqlite:PATH" or a PostgreSQL connection
/// string ("Host=..."). Parsing fails with one sentence that says what is accepted.
/// </summary>
internal sealed record DatabaseTarget(DatabaseProvider Provider, string ConnectionString)
{
    public const string Help =
        "expected sqlite:PATH (e.g. sqlite:canvas-sync.db) or a PostgreSQL connection string (Host=...;Database=...;Username=...)";

    public static bool TryParse(string? value, out DatabaseTarget? target, out string? error)
    {
        target = null;
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "no database given: " + Help;
            return false;
        }

        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = value["sqlite:".Length..];
            if (path.Length == 0)
            {
                error = "sqlite: needs a file path: " + Help;
                return false;
            }

            // Foreign keys on; a busy writer waits instead of failing at once.
            target = new DatabaseTarget(DatabaseProvider.Sqlite,
                new SqliteConnectionStringBuilder { DataSource = path, ForeignKeys = true, DefaultTimeout = 30 }.ToString());
            return true;
        }

        if (value.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(value);
                // The API runs the same few statements all day: prepared once per connection, PostgreSQL plans them
                // once (docs/benchmarks.md: more than doubled assignments/s). An explicit setting wins.
                if (!value.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 32;
                // Row-level security keeps a request's user in a session setting; the reset when a connection goes
                // back to the pool is what keeps it from the next user (or the engine), so it cannot be turned off.
                builder.NoResetOnClose = false;
                target = new DatabaseTarget(DatabaseProvider.Postgres, builder.ToString());
                return true;
            }
            catch (ArgumentException e)
            {
                error = $"the PostgreSQL connection string is not valid ({e.Message})";
                return false;
            }
        }

        // The value is not echoed: a mistyped connection string can hold a password in any form.
        error = "the value given is not a database: " + Help;
        return false;
    }

    public static DatabaseTarget Parse(string? value) =>
        TryParse(value, out var target, out var error) ? target! : throw new FormatException(error);

    /// <summary>A connection string may carry a password: never echo one.</summary>
    public static string Redact(string value) =>
        System.Text.RegularExpressions.Regex.Replace(value, "(?i)(password|pwd)=[^;]*", "$1=***");

    /// <summary>The SQLite database file, or null on PostgreSQL.</summary>
    public string? SqlitePath => Provider == DatabaseProvider.Sqlite ? new SqliteConnectionStringBuilder(ConnectionString).DataSource
        : null;

    public void Configure(DbContextOptionsBuilder options)
    {
        if (Provider == DatabaseProvider.Sqlite) options.UseSqlite(ConnectionString);
        else options.UseNpgsql(ConnectionString);
    }

    /// <summary>A plain connection, for the engine's bulk writes (pooled by both providers).</summary>
    public System.Data.Common.DbConnection CreateConnection() => Provider == DatabaseProvider.Sqlite
        ? new SqliteConnection(ConnectionString)
        : new NpgsqlConnection(ConnectionString);

    /// <summary>
    /// One context of the right flavour, for the command line and tests, which open a few. Services take
    /// <see cref="CanvasSyncContexts"/> (an <c>IDbContextFactory</c>) instead.
    /// </summary>
    public CanvasSyncDbContext CreateContext() => new CanvasSyncContexts(this).CreateDbContext();

    /// <summary>Where, without credentials: safe to print.</summary>
    public override string ToString()
    {
        if (Provider == DatabaseProvider.Sqlite) return "sqlite:" + new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgres://{b.Host}:{b.Port}/{b.Database}";
    }
}
