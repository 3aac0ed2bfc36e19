using System.Text.Json;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>The sync engine against the sandbox Canvas, on SQLite and on PostgreSQL: the mirror must equal the truth.</summary>
[Collection(SecondPostgresCollection.Name)]
public sealed class SyncEngineTests(PostgresServer postgres)
{
    public static TheoryData<string, SandboxProfile, string> FullSyncCases => new()
    {
        { "sqlite", SandboxProfile.Student, "student" },
        { "postgres", SandboxProfile.Student, "student" },
        { "sqlite", SandboxProfile.Instructor, "teacher" },
        { "postgres", SandboxProfile.Instructor, "teacher" },
    };

    [Theory]
    [MemberData(nameof(FullSyncCases))]
    public async Task A_full_sync_equals_the_truth_and_a_second_one_changes_nothing(string provider, SandboxProfile profile, string who)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = profile });
        var token = who == "student" ? h.Sandbox.Tokens.Student : h.Sandbox.Tokens.Teacher;
        var truth = await h.TruthAsync(token);

        var first = await h.SyncAsync(token);
        Assert.Equal(SyncStatus.Completed, first.Status);
        Assert.Empty(first.Errors);
        await h.AssertMirrorEqualsTruthAsync(truth);
        // The engine reads what the reference crawl reads (a teacher's planner list adds one request).
        Assert.InRange(first.Requests, truth.GetProperty("min_requests").GetInt64(),
            truth.GetProperty("min_requests").GetInt64() * 11 / 10);

        var again = await h.SyncAsync(token);
        Assert.Equal(SyncStatus.Completed, again.Status);
        Assert.All(again.Counts.Values, c => Assert.Equal((0L, 0L, 0L), (c.Created, c.Updated, c.Deleted)));
        await h.AssertMirrorEqualsTruthAsync(truth);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_delta_after_real_activity_equals_the_truth_and_writes_exactly_the_changes(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Instructor });
        var token = h.Sandbox.Tokens.Teacher;
        var full = await h.SyncAsync(token);
        Assert.Equal(SyncStatus.Completed, full.Status);
        var before = await h.TruthAsync(token);

        await h.MutateAsync(new
        {
            seed = 9,
            update_assignments = 20,
            create_assignments = 5,
            delete_assignments = 3,
            grade_submissions = 200,
            submit_submissions = 50
        });
        var after = await h.TruthAsync(token);
        var delta = await h.SyncAsync(token, SyncType.Delta);

        Assert.Equal(SyncStatus.Completed, delta.Status);
        Assert.Equal(SyncType.Delta, delta.Type);
        await h.AssertMirrorEqualsTruthAsync(after);
        foreach (var collection in new[] { "assignments", "submissions", "enrollments", "courses", "groups", "group_memberships" })
        {
            var b = SyncHarness.Truth(before, collection);
            var a = SyncHarness.Truth(after, collection);
            var expected = (Created: a.Keys.Except(b.Keys).LongCount(), Updated: a.Keys.Intersect(b.Keys).LongCount(k => a[k] != b[k]),
                Deleted: b.Keys.Except(a.Keys).LongCount());
            var c = delta.Counts.GetValueOrDefault(collection) ?? new EntityCounts(0, 0, 0, 0);
            Assert.True(expected == (c.Created, c.Updated,
                c.Deleted), $"{collection}: expected {expected}, delta wrote {(c.Created, c.Updated, c.Deleted)}");
        }

        Assert.Equal((5L, 20L, 3L),
            (delta.Counts["assignments"].Created, delta.Counts["assignments"].Updated, delta.Counts["assignments"].Deleted));
        Assert.True(delta.Requests <= full.Requests / 10, $"delta {delta.Requests} requests vs full {full.Requests}");
    }

    public static TheoryData<string> Providers => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_token_revoked_mid_run_gives_needs_reauth_and_keeps_every_row(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres,
            new SandboxOptions { Profile = SandboxProfile.Instructor, LatencyMs = 20 });
        var token = h.Sandbox.Tokens.Teacher;
        var revoked = 0;
        var progress = new SyncProgressHandler(p =>
        {
            if (p.ItemsDone > 3000 && Interlocked.Exchange(ref revoked, 1) == 0)
                h.Http.PostAsync($"{h.Sandbox.BaseUrl}/_sandbox/tokens/revoke",
                    new StringContent($$"""{"token":"{{token}}"}""", System.Text.Encoding.UTF8, "application/json")).Wait();
        });
        var result = await h.SyncAsync(token, progress: progress);

        Assert.Equal(SyncStatus.NeedsReauth, result.Status);
        await using var db = h.Database.Context();
        var connection = await db.Connections.SingleAsync(c => c.Id == h.ConnectionId);
        Assert.Equal(ConnectionStatus.NeedsReauth, connection.Status);
        Assert.Equal("token_revoked", connection.LastErrorCode);
        var run = await db.SyncRuns.SingleAsync(r => r.Id == result.RunId);
        Assert.Equal("token_revoked", run.ErrorCode);
        Assert.DoesNotContain(token, run.ErrorMessage ?? "", StringComparison.Ordinal);
        // Everything written before Canvas said no is still there (revoked after 3,000 items were stored).
        var kept = await db.Submissions.CountAsync() + await db.Enrollments.CountAsync() + await db.Assignments.CountAsync()
            + await db.Courses.CountAsync() + await db.AssignmentGroups.CountAsync() + await db.Groups.CountAsync()
                + await db.GroupMemberships.CountAsync()
            + await db.GroupCategories.CountAsync() + await db.Terms.CountAsync();
        Assert.True(kept >= 3000, $"{kept} rows kept");
        Assert.Equal(0, await db.Submissions.CountAsync(s => s.DeletedAt != null));
        Assert.Null(connection.LastFullSyncAt);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task With_ten_percent_faults_the_result_still_equals_the_truth(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres,
            new SandboxOptions { Profile = SandboxProfile.Student, FaultRate = 0.10, Seed = 4 });
        h.Sandbox.Settings.SlowMs = 300;
        var result = await h.SyncAsync(h.Sandbox.Tokens.Teacher);
        Assert.Equal(SyncStatus.Completed, result.Status);
        Assert.True(result.Retries > 0);
        h.Sandbox.Settings.FaultRate = 0;
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_second_trigger_while_a_run_is_alive_is_refused_with_the_running_run(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres,
            new SandboxOptions { Profile = SandboxProfile.Student, LatencyMs = 200 });
        var token = h.Sandbox.Tokens.Teacher;
        var started = new TaskCompletionSource();
        var first = h.SyncAsync(token, progress: new SyncProgressHandler(_ => started.TrySetResult()));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // A run of another process on this host that is alive: the engine's own process counts as alive elsewhere.
        await using (var db = h.Database.Context())
            await db.SyncRuns.Where(r => r.Status == SyncStatus.Running)
                .ExecuteUpdateAsync(u =>
                u.SetProperty(r => r.LeaseOwner, "another-host:1").SetProperty(r => r.HeartbeatAt, DateTime.UtcNow));
        var e = await Assert.ThrowsAsync<SyncAlreadyRunningException>(() => h.SyncAsync(token));
        Assert.Equal((await first).RunId, e.RunId);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_course_scope_syncs_only_those_courses(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Student });
        var token = h.Sandbox.Tokens.Teacher;
        var truth = await h.TruthAsync(token);
        var course = truth.GetProperty("courses").EnumerateArray().First(c => c.TryGetProperty("name", out _)).GetProperty("id").GetInt64();
        var result = await h.Engine.RunAsync(h.ConnectionId, token, new SyncRequest(SyncType.Full, new SyncScope(CourseIds: [course])));
        Assert.Equal(SyncStatus.Completed, result.Status);
        var assignments = await h.MirrorAsync("assignments");
        var expected = SyncHarness.Truth(truth, "assignments")
            .Where(kv => JsonDocument.Parse(kv.Value).RootElement.GetProperty("course_id").GetInt64() == course).Select(kv => kv.Key);
        Assert.Equal(expected.Order(), assignments.Keys.Order());
        await using var db = h.Database.Context();
        // A scoped run is not a complete sync: the next delta still needs a full one.
        Assert.Null((await db.Connections.SingleAsync(c => c.Id == h.ConnectionId)).LastFullSyncAt);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Cancel_stops_at_a_page_boundary_and_keeps_what_was_fetched(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres,
            new SandboxOptions { Profile = SandboxProfile.Instructor, LatencyMs = 20 });
        using var cancel = new CancellationTokenSource();
        var result = await h.SyncAsync(h.Sandbox.Tokens.Teacher, progress: new SyncProgressHandler(p =>
        {
            if (p.ItemsDone > 2000) cancel.Cancel();
        }), ct: cancel.Token);

        Assert.Equal(SyncStatus.Cancelled, result.Status);
        await using var db = h.Database.Context();
        var run = await db.SyncRuns.AsNoTracking().SingleAsync(r => r.Id == result.RunId);
        Assert.Equal("cancelled", run.ErrorCode);
        Assert.NotNull(run.FinishedAt);
        // Every committed page is there, with its checkpoint: fetched items = rows written by this run.
        var fetched = await db.SyncCheckpoints.Where(c => c.RunId == run.Id).SumAsync(c => c.ItemsFetched);
        Assert.True(fetched >= 2000);
        // On a first run each fetched item created one row (people and terms come nested in other items).
        Assert.Equal(fetched, await db.SyncRunCounts.Where(c => c.RunId == run.Id && c.EntityType != "users" && c.EntityType != "terms")
            .SumAsync(c => c.Created));
        Assert.Contains(await db.SyncCheckpoints.Where(c => c.RunId == run.Id).ToListAsync(), c => !c.Done);
        var connection = await db.Connections.SingleAsync(c => c.Id == h.ConnectionId);
        Assert.Null(connection.LastFullSyncAt); // not a complete sync: no delta may start from it
        Assert.Equal(ConnectionStatus.Ok, connection.Status);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_dry_run_reports_what_the_real_sync_then_writes_and_writes_nothing(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Student });
        var token = h.Sandbox.Tokens.Teacher;
        await h.SyncAsync(token);
        var before = await h.TruthAsync(token);
        await h.MutateAsync(new
        {
            seed = 3,
            update_assignments = 4,
            create_assignments = 2,
            delete_assignments = 2,
            grade_submissions = 30,
            submit_submissions = 10
        });

        // A reader beside it (the dashboard's history) never sees the preview finished without its counts.
        var running = h.Engine.RunAsync(h.ConnectionId, token, new SyncRequest(SyncType.Delta, new SyncScope(), DryRun: true));
        var finishedWithoutCounts = 0;
        while (!running.IsCompleted)
        {
            await using var db = h.Database.Context();
            var run = await db.SyncRuns.AsNoTracking().Where(r => r.ConnectionId == h.ConnectionId && r.DryRun).OrderByDescending(r => r.Id)
                .FirstOrDefaultAsync();
            if (run?.FinishedAt is not null && !await db.SyncRunCounts.AnyAsync(c => c.RunId == run.Id)) finishedWithoutCounts++;
        }

        var preview = await running;
        Assert.Equal(0, finishedWithoutCounts);
        Assert.Equal(SyncStatus.Completed, preview.Status);
        Assert.True(preview.DryRun);
        await h.AssertMirrorEqualsTruthAsync(before); // nothing written
        await using (var db = h.Database.Context())
        {
            Assert.Equal(0, await db.SyncCheckpoints.CountAsync(c => c.RunId == preview.RunId));
            Assert.True((await db.SyncRunCounts.CountAsync(c => c.RunId == preview.RunId)) > 0); // the preview's record stays
        }

        var real = await h.SyncAsync(token, SyncType.Delta);
        foreach (var (entity, counts) in real.Counts.Where(kv => kv.Key is not ("tasks" or "teams")))
            Assert.Equal((entity, counts.Created, counts.Updated, counts.Deleted),
                (entity, preview.Counts[entity].Created, preview.Counts[entity].Updated, preview.Counts[entity].Deleted));
        Assert.Equal(2, real.Counts["assignments"].Created);
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    /// <summary>Progress reported synchronously on the engine's thread (Progress&lt;T&gt; would post it elsewhere).</summary>
    private sealed class SyncProgressHandler(Action<SyncProgress> handler) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => handler(value);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Two_processes_queueing_the_same_connection_at_once_get_one_run(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions());
        // A second queue with its own in-process bookkeeping stands for another node; only the database is shared.
        var other = Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<RunQueue>(h.Services, new ActiveRuns());
        var request = new SyncRequest(SyncType.Full, new SyncScope());
        var attempts = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(i => Task.Run(() => (i % 2 == 0 ? h.Queue : other).QueueAsync(h.ConnectionId, request, CancellationToken.None))));
        Assert.Single(attempts.Select(a => a.RunId).Distinct());
        Assert.Single(attempts, a => !a.Existing);
        await using var db = h.Database.Context();
        Assert.Equal(1, await db.SyncRuns.CountAsync(r => r.Status == SyncStatus.Queued || r.Status == SyncStatus.Running));
    }
}
