using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CanvasSync.Data;

/// <summary>
/// Databases made before the migrations were squashed into one Initial per provider (December 2026). One that had
/// every pre-release migration has exactly the schema Initial makes (checked by comparing pg_dump and sqlite_master,
/// column for column, index for index, policy for policy), so it is adopted: its history is rewritten to the new
/// migrations and nothing else changes. One that stopped part-way cannot be brought forward any more and is refused
/// with one sentence that says what to do.
/// </summary>
internal static class PreReleaseDatabases
{
    private static readonly string[] Sqlite =
    [
        "20261122185210_Initial", "20261122193727_RunLeaseOwner", "20261122213110_AccountsAndTokenProtection",
        "20261122221050_OneUnfinishedRunPerConnection", "20261122233534_ChangeFeed", "20261123000937_ListingIndexes",
        "20261123015527_SyncMetrics", "20261123041217_CalendarFeeds", "20261123054253_NodeLeases",
        "20261123064639_OAuthConnections", "20261206035951_AssignmentDescriptions",
    ];

    private static readonly string[] Postgres =
    [
        "20261122185219_Initial", "20261122193739_RunLeaseOwner", "20261122213124_AccountsAndTokenProtection",
        "20261122214333_RowLevelSecurity", "20261122221104_OneUnfinishedRunPerConnection", "20261122233551_ChangeFeed",
        "20261123001100_ListingIndexes", "20261123015530_SyncMetrics", "20261123041220_CalendarFeeds",
        "20261123054256_NodeLeases", "20261123064643_OAuthConnections", "20261206040024_AssignmentDescriptions",
    ];

    /// <summary>Migration ids below this are the squashed ones (Initial, and PostgreSQL's RowLevelSecurity).</summary>
    private const string SquashedUpTo = "20261206062729";

    /// <summary>Today's migrations that stand for the pre-release ones (the schema those made), oldest first.</summary>
    public static IReadOnlyList<string> Squashed(CanvasSyncDbContext db) =>
        db.Database.GetMigrations().Where(id => string.CompareOrdinal(id, SquashedUpTo) < 0).ToList();

    /// <summary>The pre-release migrations of the database's provider, oldest first.</summary>
    public static IReadOnlyList<string> Of(CanvasSyncDbContext db) => db.Database.IsSqlite() ? Sqlite : Postgres;

    /// <summary>Rewrites a complete pre-release history to today's migrations; refuses an incomplete one.</summary>
    public static async Task AdoptAsync(CanvasSyncDbContext db, IReadOnlyList<string> applied, CancellationToken ct)
    {
        var old = Of(db);
        if (!applied.Any(old.Contains)) return;
        if (!old.All(applied.Contains))
            throw new DatabaseTooOldException($"this database was made by an early pre-release of CanvasSync (its last migration is " +
                $"{applied.Where(old.Contains).Max()}) and cannot be upgraded: move it aside (or drop it) and start again, then add the users and connect Canvas anew");

        var history = db.GetService<IHistoryRepository>();
        // Only the squashed migrations stand for what the pre-release ones made; later ones are applied as usual.
        var current = Squashed(db);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var id in old)
            await db.Database.ExecuteSqlRawAsync(history.GetDeleteScript(id), ct);
        foreach (var id in current)
            await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(id, ProductInfo.GetVersion())), ct);
        await transaction.CommitAsync(ct);
    }
}

/// <summary>A database this version cannot bring to its schema; the message says what to do.</summary>
internal sealed class DatabaseTooOldException(string message) : Exception(message);
