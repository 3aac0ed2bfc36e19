using CanvasSync.Data;

namespace CanvasSync.IntegrationTests.Infrastructure;

/// <summary>A fresh, migrated database of either kind, so the same test runs on SQLite and on PostgreSQL.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _sqliteFile;

    private TestDatabase(string setting, string? sqliteFile)
    {
        Setting = setting;
        Target = DatabaseTarget.Parse(setting);
        _sqliteFile = sqliteFile;
    }

    public DatabaseTarget Target { get; }

    /// <summary>The database as --db takes it.</summary>
    public string Setting { get; }

    public static async Task<TestDatabase> CreateAsync(string provider, PostgresServer postgres)
    {
        TestDatabase db;
        if (provider == "sqlite")
        {
            var file = Path.Combine(Path.GetTempPath(), $"canvassync-test-{Guid.NewGuid():N}.db");
            db = new TestDatabase("sqlite:" + file, file);
        }
        else db = new TestDatabase(await postgres.CreateDatabaseAsync(), null);

        await using var context = db.Target.CreateContext();
        await DatabaseMigrator.MigrateAsync(context);
        return db;
    }

    public CanvasSyncDbContext Context() => Target.CreateContext();

    public ValueTask DisposeAsync()
    {
        if (_sqliteFile is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { _sqliteFile, _sqliteFile + "-wal", _sqliteFile + "-shm" }) File.Delete(f);
        }
        else
        {
            // Idle pooled connections of a finished test (the service's and its job server's) would otherwise stay
            // open for minutes and use up the server's connection slots over a whole test run.
            using var connection = new Npgsql.NpgsqlConnection(Target.ConnectionString);
            Npgsql.NpgsqlConnection.ClearPool(connection);
        }

        return ValueTask.CompletedTask;
    }

    public static TheoryData<string> Providers => ["sqlite", "postgres"];
}
