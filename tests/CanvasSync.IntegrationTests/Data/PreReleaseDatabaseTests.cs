using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CanvasSync.IntegrationTests.Data;

/// <summary>Databases made before the migrations were squashed (Data/PreReleaseDatabases.cs), on both databases.</summary>
[Collection(SecondPostgresCollection.Name)]
public sealed class PreReleaseDatabaseTests(PostgresServer postgres)
{
    /// <summary>
    /// A database made by the last pre-release migrations (squashed since) has today's schema when it had them all: it
    /// is adopted as it is. One that stopped part-way, or one made by the earlier pre-release migrations, is refused
    /// with a sentence that says what to do, not a crash.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_database_made_by_the_pre_release_migrations_is_adopted_when_complete_and_refused_plainly_when_not(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using (var db = database.Context())
        {
            await AddUserAsync(db);
            // The schema the pre-release migrations made is the squashed migrations' (later ones came after them).
            await db.GetService<IMigrator>().MigrateAsync(PreReleaseDatabases.Squashed(db)[^1]);
            await WriteHistoryAsync(db, PreReleaseDatabases.Adoptable(db));
            await DatabaseMigrator.MigrateAsync(db);
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            Assert.Equal(1, await db.Users.CountAsync()); // nothing was lost
        }

        // Stopped part-way; and the earlier pre-release set, even complete.
        foreach (var history in new Func<CanvasSyncDbContext, IEnumerable<string>>[] { d => PreReleaseDatabases.Adoptable(d).Take(2),
            PreReleaseDatabases.TooOld })
        {
            await using var db = database.Context();
            var ids = history(db).ToList();
            await WriteHistoryAsync(db, ids);
            var refused = await Assert.ThrowsAsync<DatabaseTooOldException>(() => DatabaseMigrator.MigrateAsync(db));
            Assert.Contains("pre-release", refused.Message, StringComparison.Ordinal);
            Assert.Contains(ids.Max(StringComparer.Ordinal)!, refused.Message, StringComparison.Ordinal); // the last one it had
            Assert.Contains("move it aside", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', refused.Message);
        }
    }

    /// <summary>
    /// Nodes started together on a database of the last pre-release: each adopts it or finds it adopted, none fails,
    /// and the history is today's exactly once.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Nodes_that_start_together_on_a_pre_release_database_all_come_up(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        for (var round = 0; round < 3; round++)
        {
            await using (var db = database.Context())
            {
                await db.GetService<IMigrator>().MigrateAsync(PreReleaseDatabases.Squashed(db)[^1]);
                await WriteHistoryAsync(db, PreReleaseDatabases.Adoptable(db));
            }

            var nodes = Enumerable.Range(0, 4).Select(async _ =>
            {
                await using var db = database.Context();
                await DatabaseMigrator.MigrateAsync(db);
            });
            await Task.WhenAll(nodes).WaitAsync(TimeSpan.FromMinutes(1));

            await using (var db = database.Context())
                Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        }
    }

    private static async Task WriteHistoryAsync(CanvasSyncDbContext db, IEnumerable<string> migrations)
    {
        await db.Database.ExecuteSqlRawAsync("DELETE FROM \"__EFMigrationsHistory\"");
        foreach (var id in migrations)
            await db.Database.ExecuteSqlAsync($"INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ({id}, '10.0.0')");
    }

    private static async Task AddUserAsync(CanvasSyncDbContext db)
    {
        db.Users.Add(new User { Name = "Ana García", CreatedAt = new DateTime(2026, 11, 22, 10, 30, 15, DateTimeKind.Utc) });
        await db.SaveChangesAsync();
    }
}
