using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Data;

/// <summary>Brings a database to the current model at start-up (never EnsureCreated: it skips migrations).</summary>
public static class DatabaseMigrator
{
    public static async Task MigrateAsync(CanvasSyncDbContext db, CancellationToken cancellationToken = default)
    {
        if (db.Database.IsSqlite())
        {
            var path = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }

        await db.Database.MigrateAsync(cancellationToken);

        // WAL lets the API read while a sync writes; it is a property of the file, so set it once here.
        if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }
}
