using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CanvasSync.Data;

/// <summary>
/// Databases made before the migrations were squashed into one Initial per provider, with PostgreSQL's hand-written
/// row-level security beside it. That happened twice before any release: on 2026-12-06 in the morning (the first
/// pre-release migrations, November to December) and again that evening (the first squash and the four migrations the
/// day added after it). A database that had every migration of the second set has exactly the schema today's
/// migrations make (checked by comparing pg_dump and sqlite_master, column for column, index for index, policy for
/// policy; the only differences are column order and the DEFAULT false that AddColumn left on four bool columns,
/// which nothing relies on: every insert names every column), so it is adopted: its history is rewritten to today's
/// migrations and nothing else changes. Any other pre-release database (the first set, or the second stopped
/// part-way) cannot be brought forward any more and is refused with one sentence that says what to do.
/// </summary>
internal static class PreReleaseDatabases
{
    private static readonly string[] FirstSqlite =
    [
        "20261122185210_Initial", "20261122193727_RunLeaseOwner", "20261122213110_AccountsAndTokenProtection",
        "20261122221050_OneUnfinishedRunPerConnection", "20261122233534_ChangeFeed", "20261123000937_ListingIndexes",
        "20261123015527_SyncMetrics", "20261123041217_CalendarFeeds", "20261123054253_NodeLeases",
        "20261123064639_OAuthConnections", "20261206035951_AssignmentDescriptions",
    ];

    private static readonly string[] FirstPostgres =
    [
        "20261122185219_Initial", "20261122193739_RunLeaseOwner", "20261122213124_AccountsAndTokenProtection",
        "20261122214333_RowLevelSecurity", "20261122221104_OneUnfinishedRunPerConnection", "20261122233551_ChangeFeed",
        "20261123001100_ListingIndexes", "20261123015530_SyncMetrics", "20261123041220_CalendarFeeds",
        "20261123054256_NodeLeases", "20261123064643_OAuthConnections", "20261206040024_AssignmentDescriptions",
    ];

    private static readonly string[] SecondSqlite =
    [
        "20261206062710_Initial", "20261206102815_ReconcileAndSlowLane", "20261206163416_SignInWithCanvas",
        "20261206192829_DeltaSourceAndGraphQLRefusal", "20261206195117_AssignmentMuted",
    ];

    private static readonly string[] SecondPostgres =
    [
        "20261206062727_Initial", "20261206062728_RowLevelSecurity", "20261206102856_ReconcileAndSlowLane",
        "20261206163438_SignInWithCanvas", "20261206192852_DeltaSourceAndGraphQLRefusal", "20261206195144_AssignmentMuted",
    ];

    /// <summary>PostgreSQL advisory lock key held while a history is rewritten ("CSadopt" in ASCII).</summary>
    private const long AdoptionLock = 0x4353_6164_6F70_74;

    /// <summary>Migration ids below this are the squashed ones (Initial, and PostgreSQL's RowLevelSecurity).</summary>
    private const string SquashedUpTo = "20261206215641";

    /// <summary>Today's migrations that stand for the pre-release ones (the schema those made), oldest first.</summary>
    public static IReadOnlyList<string> Squashed(CanvasSyncDbContext db) =>
        db.Database.GetMigrations().Where(id => string.CompareOrdinal(id, SquashedUpTo) < 0).ToList();

    /// <summary>The pre-release migrations of the database's provider whose complete history is adopted, oldest first.</summary>
    public static IReadOnlyList<string> Adoptable(CanvasSyncDbContext db) => db.Database.IsSqlite() ? SecondSqlite : SecondPostgres;

    /// <summary>The earlier pre-release migrations of the database's provider, refused even when complete, oldest first.</summary>
    public static IReadOnlyList<string> TooOld(CanvasSyncDbContext db) => db.Database.IsSqlite() ? FirstSqlite : FirstPostgres;

    /// <summary>Rewrites a complete history of the adoptable set to today's migrations; refuses every other pre-release one.</summary>
    public static async Task AdoptAsync(CanvasSyncDbContext db, IReadOnlyList<string> applied, CancellationToken ct)
    {
        var adoptable = Adoptable(db);
        var known = applied.Where(id => adoptable.Contains(id) || TooOld(db).Contains(id)).ToList();
        if (known.Count == 0) return;
        if (!adoptable.All(applied.Contains))
            throw new DatabaseTooOldException($"this database was made by an early pre-release of CanvasSync (its last migration is " +
                $"{known.Max(StringComparer.Ordinal)}) and cannot be upgraded: move it aside (or drop it) and start again, then add the users and connect Canvas anew");

        // Two nodes (or serve and a CLI command) may start on the same database at once: the rewrite runs under a lock
        // and reads the history again inside it, so the second finds it done. SQLite's transaction is BEGIN IMMEDIATE,
        // which is the lock; PostgreSQL takes an advisory one that ends with the transaction.
        var history = db.GetService<IHistoryRepository>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({AdoptionLock})", ct);
        var now = (await history.GetAppliedMigrationsAsync(ct)).Select(m => m.MigrationId).ToHashSet(StringComparer.Ordinal);
        if (!adoptable.All(now.Contains)) return;

        // Only the squashed migrations stand for what the pre-release ones made; later ones are applied as usual.
        foreach (var id in adoptable)
            await db.Database.ExecuteSqlRawAsync(history.GetDeleteScript(id), ct);
        foreach (var id in Squashed(db))
            await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(id, ProductInfo.GetVersion())), ct);
        await transaction.CommitAsync(ct);
    }
}

/// <summary>A database this version cannot bring to its schema; the message says what to do.</summary>
internal sealed class DatabaseTooOldException(string message) : Exception(message);
