using CanvasSync.Security;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Data;

/// <summary>Brings a database to the current model at start-up (never EnsureCreated: it skips migrations).</summary>
internal static class DatabaseMigrator
{
    /// <summary>EF's SQLite migration lock older than this was left by a process that died while migrating.</summary>
    public static readonly TimeSpan StaleSqliteLock = TimeSpan.FromSeconds(30);

    public static async Task MigrateAsync(CanvasSyncDbContext db, CancellationToken cancellationToken = default)
    {
        if (db is PostgresCanvasSyncDbContext postgres)
        {
            await using var quiet = WithoutMissingHistoryErrors(postgres);
            await MigrateQuietlyAsync(quiet, cancellationToken);
        }
        else
        {
            await MigrateQuietlyAsync(db, cancellationToken);
        }
    }

    /// <summary>
    /// On a new PostgreSQL database, EF reads the history table before it exists and logs that as a failed command
    /// (npgsql/efcore.pg#3407): the first thing a new user would see is an error that is none. The migrating context
    /// logs failed commands at Debug; a real failure still throws, and the caller reports it.
    /// </summary>
    private static PostgresCanvasSyncDbContext WithoutMissingHistoryErrors(PostgresCanvasSyncDbContext db)
    {
        var current = (DbContextOptions<PostgresCanvasSyncDbContext>)db.GetService<IDbContextOptions>();
        var options = new DbContextOptionsBuilder<PostgresCanvasSyncDbContext>(current)
            .ConfigureWarnings(w => w.Log((RelationalEventId.CommandError, LogLevel.Debug)));
        return new PostgresCanvasSyncDbContext(options.Options);
    }

    private static async Task MigrateQuietlyAsync(CanvasSyncDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            var path = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            if (path != ":memory:") PrivateFiles.CreateIfMissing(path); // SQLite would create it readable by everyone (umask 022)
        }

        var history = db.GetService<IHistoryRepository>();
        if (await history.ExistsAsync(cancellationToken))
        {
            var applied = (await history.GetAppliedMigrationsAsync(cancellationToken)).Select(m => m.MigrationId).ToList();
            await PreReleaseDatabases.AdoptAsync(db, applied, cancellationToken);
            // Nothing to do, nothing to lock: a restart after a crash must not wait on a lock the dead process held.
            if (!(await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any()) return;
        }

        if (db.Database.IsSqlite()) await ClearStaleSqliteLockAsync(db, cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);

        // WAL lets the API read while a sync writes; it is a property of the file, so set it once here.
        if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    /// <summary>
    /// On SQLite, EF takes its migration lock by inserting a row into __EFMigrationsLock, and a process killed while
    /// migrating leaves it there; EF then waits for it with no end. SQLite here is single-node, so a lock older than
    /// <see cref="StaleSqliteLock"/> is stale. A younger one may be a live process migrating (serve and a CLI command
    /// started together), or one that died a moment ago (a supervisor restarting at once): wait until it is released
    /// or has gone stale, then clear it. (PostgreSQL's advisory lock dies with its connection.)
    /// </summary>
    private static async Task ClearStaleSqliteLockAsync(CanvasSyncDbContext db, CancellationToken ct)
    {
        var exists = await db.Database.SqlQueryRaw<long>("SELECT COUNT(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'")
            .SingleAsync(ct);
        if (exists == 0) return;
        while (true)
        {
            var locks = await db.Database.SqlQueryRaw<string>("SELECT \"Timestamp\" AS \"Value\" FROM \"__EFMigrationsLock\"")
                .ToListAsync(ct);
            if (locks.Count == 0) return;
            var stale = locks.Any(t =>
                !DateTimeOffset.TryParse(t, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
                || DateTimeOffset.UtcNow - at > StaleSqliteLock);
            if (stale)
            {
                await db.Database.ExecuteSqlRawAsync("DELETE FROM \"__EFMigrationsLock\"", ct);
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }
}
