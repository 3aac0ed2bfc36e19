using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Courses;
using CanvasSync.Features.Planner;
using CanvasSync.Features.Submissions;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CanvasSync.IntegrationTests.Data;

/// <summary>The data model on both databases: the same cases against SQLite and a real PostgreSQL.</summary>
[Collection(SecondPostgresCollection.Name)]
public sealed class DataModelTests(PostgresServer postgres)
{
    private static readonly DateTime Now = new(2026, 11, 22, 10, 30, 15, DateTimeKind.Utc);

    private static async Task<CanvasConnection> AddConnectionAsync(CanvasSyncDbContext db, string baseUrl = "https://canvas.example.edu")
    {
        var user = new User { Name = $"Ana García ({baseUrl})", CreatedAt = Now }; // user names are unique
        db.Users.Add(user);
        await db.SaveChangesAsync();
        var connection = new CanvasConnection
        {
            UserId = user.Id,
            BaseUrl = baseUrl,
            CanvasUserId = 170_000_000_004_007,
            CanvasUserName = "Ana García",
            EncryptedToken = "CfDJ8-ciphertext",
            Status = ConnectionStatus.Ok,
            CreatedAt = Now,
            UpdatedAt = Now,
        };
        db.Connections.Add(connection);
        await db.SaveChangesAsync();
        return connection;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrations_apply_to_an_empty_database_and_leave_nothing_pending(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var db = database.Context();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        // Migrating again is harmless (start-up runs it every time).
        await DatabaseMigrator.MigrateAsync(db);
    }

    /// <summary>The first thing a new user sees: a node that starts on an empty database logs no warning and no error.</summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_node_starts_on_an_empty_database_without_a_warning(string provider)
    {
        var file = Path.Combine(Path.GetTempPath(), $"canvassync-empty-{Guid.NewGuid():N}.db");
        var masterKey = Path.Combine(Path.GetTempPath(), $"canvassync-master-{Guid.NewGuid():N}.key");
        try
        {
            await using var node = await ServeProcess.StartAsync("empty", provider == "sqlite" ? "sqlite:" + file
                : await postgres.CreateDatabaseAsync(), masterKey);
            Assert.DoesNotContain(node.Output, line => line.StartsWith("warn:", StringComparison.Ordinal)
                || line.StartsWith("fail:", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var f in new[] { file, file + "-wal", file + "-shm", masterKey }) File.Delete(f);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Raw_json_64_bit_ids_and_utc_times_round_trip_exactly(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        const string raw = "{\"id\":170000000004007,\"name\":\"Sección Ñ 🌍 \\u003cb\\u003e\",\"z\":1,\"a\":null}";
        var due = new DateTime(2026, 9, 28, 5, 59, 59, DateTimeKind.Utc).AddTicks(123_450); // microseconds, as Canvas keeps
        long connectionId;
        await using (var db = database.Context())
        {
            connectionId = (await AddConnectionAsync(db)).Id;
            db.Assignments.Add(new Assignment
            {
                ConnectionId = connectionId,
                CanvasId = long.MaxValue,
                CourseCanvasId = 170_000_000_004_007,
                Name = "Homework 1",
                RawJson = raw,
                DueAt = due,
                FirstSeenAt = Now,
                LastSeenAt = Now,
            });
            await db.SaveChangesAsync();
        }

        await using (var db = database.Context())
        {
            var a = await db.Assignments.AsNoTracking().SingleAsync();
            Assert.Equal(raw, a.RawJson); // text, not jsonb: key order and escapes kept
            Assert.Equal(long.MaxValue, a.CanvasId);
            Assert.Equal(170_000_000_004_007, a.CourseCanvasId);
            Assert.Equal(DateTimeKind.Utc, a.DueAt!.Value.Kind);
            Assert.Equal(due, a.DueAt);
            Assert.Equal(DateTimeKind.Utc, a.FirstSeenAt.Kind);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_canvas_id_is_unique_per_connection_but_not_across_connections(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var db = database.Context();
        var first = await AddConnectionAsync(db);
        var second = await AddConnectionAsync(db, "https://other.example.edu");
        Course Row(long connectionId) =>
            new() { ConnectionId = connectionId, CanvasId = 42, Name = "Biology", FirstSeenAt = Now, LastSeenAt = Now };
        db.Courses.AddRange(Row(first.Id), Row(second.Id));
        await db.SaveChangesAsync();

        db.Courses.Add(Row(first.Id));
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Planner_items_are_keyed_by_type_and_plannable_id(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var db = database.Context();
        var c = await AddConnectionAsync(db);
        PlannerItem Item(string type) =>
            new() { ConnectionId = c.Id, CanvasId = 7, PlannableType = type, FirstSeenAt = Now, LastSeenAt = Now };
        db.PlannerItems.AddRange(Item("quiz"), Item("assignment"));
        await db.SaveChangesAsync();
        db.PlannerItems.Add(Item("quiz"));
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Statuses_are_stored_as_the_words_the_api_speaks(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var db = database.Context();
        var c = await AddConnectionAsync(db);
        c.Status = ConnectionStatus.NeedsReauth;
        db.SyncRuns.Add(new SyncRun { ConnectionId = c.Id, Type = SyncType.Full, Status = SyncStatus.CompletedWithErrors, QueuedAt = Now });
        await db.SaveChangesAsync();

        var status = await db.Database.SqlQueryRaw<string>("SELECT status AS \"Value\" FROM canvas_connections").SingleAsync();
        var runStatus = await db.Database.SqlQueryRaw<string>("SELECT status AS \"Value\" FROM sync_runs").SingleAsync();
        Assert.Equal("needs_reauth", status);
        Assert.Equal("completed_with_errors", runStatus);
        Assert.Equal(ConnectionStatus.NeedsReauth, (await db.Connections.AsNoTracking().SingleAsync()).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Due_dates_filter_and_sort_in_the_database_and_tombstones_hide_rows(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var db = database.Context();
        var c = await AddConnectionAsync(db);
        for (var i = 0; i < 10; i++)
        {
            db.Assignments.Add(new Assignment
            {
                ConnectionId = c.Id,
                CanvasId = 100 + i,
                CourseCanvasId = 1,
                Name = $"A{i}",
                DueAt = i == 3 ? null : Now.AddDays(i - 5),
                DeletedAt = i == 7 ? Now : null,
                FirstSeenAt = Now,
                LastSeenAt = Now,
            });
        }

        await db.SaveChangesAsync();
        var from = Now.AddDays(-1);
        var to = Now.AddDays(3);
        var upcoming = await db.Assignments.AsNoTracking()
            .Where(a => a.ConnectionId == c.Id && a.DeletedAt == null && a.DueAt >= from && a.DueAt < to)
            .OrderByDescending(a => a.DueAt).Select(a => a.CanvasId).ToListAsync();
        Assert.Equal([107L - 1, 105, 104], upcoming); // 107 is deleted, 103 has no due date
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Checkpoints_are_unique_per_run_course_and_collection(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var db = database.Context();
        var c = await AddConnectionAsync(db);
        var run = new SyncRun { ConnectionId = c.Id, Type = SyncType.Delta, Status = SyncStatus.Running, QueuedAt = Now };
        run.Checkpoints.Add(new SyncCheckpoint { CourseCanvasId = 0, Collection = "courses", Done = true, UpdatedAt = Now });
        run.Checkpoints.Add(new SyncCheckpoint
        {
            CourseCanvasId = 9,
            Collection = "submissions",
            NextPageUrl = "https://x/api/v1/courses/9/students/submissions?page=bookmark:WzEyM10&per_page=100",
            UpdatedAt = Now
        });
        db.SyncRuns.Add(run);
        await db.SaveChangesAsync();
        db.SyncCheckpoints.Add(new SyncCheckpoint { RunId = run.Id, CourseCanvasId = 9, Collection = "submissions", UpdatedAt = Now });
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Removing_a_connection_removes_its_mirror_runs_and_checkpoints_but_nobody_elses(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        long keep;
        await using (var db = database.Context())
        {
            var gone = await AddConnectionAsync(db);
            keep = (await AddConnectionAsync(db, "https://keep.example.edu")).Id;
            foreach (var id in new[] { gone.Id, keep })
            {
                db.Submissions.Add(new Submission
                {
                    ConnectionId = id,
                    CanvasId = 5,
                    WorkflowState = "graded",
                    FirstSeenAt = Now,
                    LastSeenAt = Now
                });
                var run = new SyncRun { ConnectionId = id, Type = SyncType.Full, Status = SyncStatus.Completed, QueuedAt = Now };
                run.Checkpoints.Add(new SyncCheckpoint { Collection = "courses", Done = true, UpdatedAt = Now });
                run.Counts.Add(new SyncRunCount { EntityType = "submissions", Created = 1 });
                db.SyncRuns.Add(run);
            }

            await db.SaveChangesAsync();
            await db.Connections.Where(x => x.Id == gone.Id).ExecuteDeleteAsync();
        }

        await using (var db = database.Context())
        {
            Assert.Equal([keep], await db.Submissions.Select(s => s.ConnectionId).ToListAsync());
            Assert.Equal([keep], await db.SyncRuns.Select(s => s.ConnectionId).ToListAsync());
            Assert.Equal(1, await db.SyncCheckpoints.CountAsync());
            Assert.Equal(1, await db.SyncRunCounts.CountAsync());
        }
    }

    /// <param name="ageSeconds">How long ago the dead process took the lock: long ago, or just now (a supervisor restarting at
    /// once).</param>
    [Theory]
    [InlineData(86_400)]
    [InlineData(27)]
    public async Task A_migration_lock_left_by_a_process_killed_while_migrating_does_not_block_the_next_start(int ageSeconds)
    {
        var file = Path.Combine(Path.GetTempPath(), $"canvassync-lock-{Guid.NewGuid():N}.db");
        var target = DatabaseTarget.Parse("sqlite:" + file);
        try
        {
            // What a kill -9 during MigrateAsync leaves: EF's lock row, and the migrations not applied.
            await using (var db = target.CreateContext())
            {
                await db.Database.ExecuteSqlRawAsync("""CREATE TABLE "__EFMigrationsLock" ("Id" INTEGER NOT NULL PRIMARY KEY, "Timestamp" TEXT NOT NULL)""");
                await db.Database.ExecuteSqlRawAsync("""INSERT INTO "__EFMigrationsLock" VALUES (1, {0})""",
                    DateTimeOffset.UtcNow.AddSeconds(-ageSeconds).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            }

            await using (var db = target.CreateContext())
            {
                await DatabaseMigrator.MigrateAsync(db).WaitAsync(TimeSpan.FromMinutes(1));
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
        }
    }
}
