using System.Net.Http.Json;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.Control;
using CanvasSync.Sandbox.World;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>
/// Each kind of change Canvas makes (docs/canvas.md §6) reaches the mirror in the next delta: afterwards the mirror
/// equals the truth in every field of every row, and a reconcile finds no drift and writes nothing. A teacher's token,
/// on SQLite and PostgreSQL.
/// </summary>
[Collection(SecondPostgresCollection.Name)]
public sealed class DeltaChangeTests(PostgresServer postgres)
{
    public static TheoryData<string, string> DeltaCases => Cases(SandboxChanges.SeenByDelta);
    public static TheoryData<string, string> SlowLaneCases => Cases(SandboxChanges.SeenBySlowLane);

    public static TheoryData<string, string, string> ReaderCases
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (var change in SandboxChanges.SeenByDelta.Concat(SandboxChanges.SeenBySlowLane))
            {
                foreach (var who in new[] { "student", "observer" })
                {
                    foreach (var provider in new[] { "sqlite", "postgres" }) data.Add(provider, who, change);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(DeltaCases))]
    public async Task One_delta_after_a_change_equals_canvas_and_a_reconcile_then_finds_no_drift(string provider, string change)
    {
        await using var h = await StartAsync(provider);
        await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), change);

        await AssertOneDeltaHealsAsync(h, new SyncRequest(SyncType.Delta, new SyncScope()));
    }

    /// <summary>
    /// The same changes, each alone, read with a student's token and with a parent's observing two students. What no
    /// listing shows reaches them in the slow lane, as it does a teacher (an invitation or a moderator flag in the
    /// student's own group moves no member count and no change time).
    /// </summary>
    [Theory]
    [MemberData(nameof(ReaderCases))]
    public async Task A_student_and_an_observer_see_each_change_in_one_delta(string provider, string who, string change)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Classroom });
        var token = who == "student" ? h.Sandbox.Tokens.Student : await ObserverOfAsync(h);
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(token)).Status);
        if (change == "override_again") await FirstOverrideSyncedAsync(h, token);
        await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), change);

        var slowLane = SandboxChanges.SeenBySlowLane.Contains(change);
        await AssertOneDeltaHealsAsync(h, token, new SyncRequest(SyncType.Delta, new SyncScope(), SlowLane: slowLane));
    }

    [Theory]
    [MemberData(nameof(SlowLaneCases))]
    public async Task A_change_no_listing_shows_reaches_the_mirror_in_the_slow_lane(string provider, string change)
    {
        await using var h = await StartAsync(provider);
        if (change == "override_again") await FirstOverrideSyncedAsync(h);
        await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), change);

        await AssertOneDeltaHealsAsync(h, new SyncRequest(SyncType.Delta, new SyncScope(), SlowLane: true));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_change_at_once_is_healed_by_one_slow_lane_delta(string provider)
    {
        await using var h = await StartAsync(provider);
        await FirstOverrideSyncedAsync(h);
        // Each change picks its records from the truth as it is then, so they build on one another as a term does.
        foreach (var change in SandboxChanges.SeenByDelta.Concat(SandboxChanges.SeenBySlowLane).Where(c => c != "first_override"))
            await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), change);

        await AssertOneDeltaHealsAsync(h, new SyncRequest(SyncType.Delta, new SyncScope(), SlowLane: true));
    }

    public static TheoryData<string, string, bool> Readers => new()
    {
        { "sqlite", "student", false }, { "postgres", "student", false }, { "sqlite", "observer", false },
            { "postgres", "observer", false },
        { "sqlite", "student", true }, { "postgres", "observer", true },
    };

    /// <summary>
    /// A student's and an observer's token (a parent observing two students): every change at once, then one delta
    /// leaves their mirror equal to what they can read, and a reconcile finds no drift. A plain delta gets every change
    /// but the second override (no listing shows it); a slow-lane delta gets that one too.
    /// </summary>
    [Theory]
    [MemberData(nameof(Readers))]
    public async Task A_student_and_an_observer_see_every_change_in_one_delta(string provider, string who, bool slowLane)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Classroom });
        var token = who == "student" ? h.Sandbox.Tokens.Student : await ObserverOfAsync(h);
        var full = await h.SyncAsync(token);
        Assert.Equal(SyncStatus.Completed, full.Status);
        Assert.Empty(full.Errors); // an observer reads neither roster nor groups, so nothing was refused
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
        if (who == "observer") Assert.NotEmpty(SyncHarness.Truth(await h.TruthAsync(token), "submissions"));

        foreach (var change in SandboxChanges.SeenByDelta.Concat(SandboxChanges.SeenBySlowLane)
            .Where(c => slowLane || c != "override_again"))
            await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), change);

        var result = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope(), SlowLane: slowLane));
        Assert.Equal((SyncStatus.Completed, SyncType.Delta), (result.Status, result.Type));
        Assert.Empty(result.Errors);
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
        var reconcile = await h.SyncAsync(token, SyncType.Reconcile);
        Assert.True(reconcile.Drift.Count == 0,
            "drift: " + string.Join(", ", reconcile.Drift.Select(d => $"{d.EntityType}.{d.Field} x{d.RowCount}")));
    }

    /// <summary>A parent observing the student token's owner (in every course) and one classmate.</summary>
    private static async Task<string> ObserverOfAsync(SyncHarness h)
    {
        var student = (await h.TruthAsync(h.Sandbox.Tokens.Student)).GetProperty("user").GetProperty("id").GetInt64();
        var classmate = SyncHarness.Truth(await h.TruthAsync(h.Sandbox.Tokens.Teacher), "enrollments").Values
            .Select(e => System.Text.Json.JsonDocument.Parse(e).RootElement)
            .Where(e => e.GetProperty("type").GetString() == "StudentEnrollment"
                && e.GetProperty("enrollment_state").GetString() == "active")
            .Select(e => e.GetProperty("user_id").GetInt64()).First(u => u != student);
        using var response = await h.Http.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/observers",
            new { observee_ids = new[] { student, classmate } });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("token").GetString()!;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task What_a_plain_delta_misses_a_reconcile_writes_and_counts_as_drift_by_field(string provider)
    {
        await using var h = await StartAsync(provider);
        var teacher = h.Sandbox.Tokens.Teacher;
        var before = SyncHarness.Truth(await h.TruthAsync(teacher), "group_memberships");
        await h.ChangeAsync(await h.TruthAsync(teacher), "moderator");
        var flipped = SyncHarness.Truth(await h.TruthAsync(teacher), "group_memberships").Single(kv => before[kv.Key] != kv.Value).Key;

        var delta = await h.SyncAsync(teacher, new SyncRequest(SyncType.Delta, new SyncScope()));
        Assert.Equal(SyncStatus.Completed, delta.Status);
        var reconcile = await h.SyncAsync(teacher, SyncType.Reconcile);

        Assert.Equal((SyncStatus.Completed, SyncType.Reconcile), (reconcile.Status, reconcile.Type));
        var drift = Assert.Single(reconcile.Drift);
        Assert.Equal(("group_memberships", "moderator", 1L, long.Parse(flipped, System.Globalization.CultureInfo.InvariantCulture)),
            (drift.EntityType, drift.Field, drift.RowCount, drift.ExampleCanvasId!.Value));
        Assert.Equal(1, reconcile.Counts["group_memberships"].Updated);
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(teacher));
    }

    /// <summary>
    /// An assignment published, read by the delta's listing, then unpublished before its rows are read: Canvas refuses
    /// the batch (403, "invalid assignment ids"), and the delta reads the course unsplit instead, never ending silently
    /// short. The assignment's own row, listed a moment before the change, is put right by the next delta.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_assignment_unpublished_between_its_listing_and_its_rows_is_read_through_the_whole_course(string provider)
    {
        await using var h = await StartAsync(provider);
        var teacher = h.Sandbox.Tokens.Teacher;
        var assignment = SyncHarness.Truth(await h.TruthAsync(teacher), "assignments")
            .Values.Select(a => System.Text.Json.JsonDocument.Parse(a).RootElement)
            .First(a => !a.GetProperty("published").GetBoolean() && a.GetProperty("course_id").GetInt64() < 1_000_000);
        var (id, course) = (assignment.GetProperty("id").GetInt64(), assignment.GetProperty("course_id").GetInt64());
        (await h.Http.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/assignments/{id}",
            new { published = true })).EnsureSuccessStatusCode();

        var unpublished = 0;
        var progress = new ProgressHandler(p =>
        {
            // Runs as the course's assignment page commits, before the rows it opened are read.
            if (p.Phase == "assignments" && p.CourseId == course && Interlocked.Exchange(ref unpublished, 1) == 0)
                h.Http.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/assignments/{id}", new { published = false })
                    .Result.EnsureSuccessStatusCode();
        });
        var delta = await h.SyncAsync(teacher, SyncType.Delta, progress);

        Assert.Equal(1, unpublished);
        Assert.Equal(SyncStatus.Completed, delta.Status);
        Assert.Empty(delta.Errors);
        await using (var db = h.Database.Context())
            Assert.True(await db.SyncCheckpoints.AnyAsync(c => c.RunId == delta.RunId && c.CourseCanvasId == course
                && c.Collection == "submissions:all" && c.Done));
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(teacher, SyncType.Delta)).Status);
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(teacher));
    }

    private sealed class ProgressHandler(Action<SyncProgress> handler) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => handler(value);
    }

    private async Task<SyncHarness> StartAsync(string provider)
    {
        var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Classroom });
        var full = await h.SyncAsync(h.Sandbox.Tokens.Teacher);
        Assert.Equal(SyncStatus.Completed, full.Status);
        return h;
    }

    /// <summary>An assignment gets its first override, and a delta mirrors it: the next override changes nothing the assignment listing
    /// shows.</summary>
    private static Task FirstOverrideSyncedAsync(SyncHarness h) => FirstOverrideSyncedAsync(h, h.Sandbox.Tokens.Teacher);

    private static async Task FirstOverrideSyncedAsync(SyncHarness h, string token)
    {
        await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), "first_override");
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(token, SyncType.Delta)).Status);
    }

    /// <summary>One delta, and the mirror is the truth; a reconcile on top has nothing to write and no drift to report.</summary>
    private static Task AssertOneDeltaHealsAsync(SyncHarness h, SyncRequest delta) =>
        AssertOneDeltaHealsAsync(h, h.Sandbox.Tokens.Teacher, delta);

    private static async Task AssertOneDeltaHealsAsync(SyncHarness h, string token, SyncRequest delta)
    {
        var result = await h.SyncAsync(token, delta);
        Assert.Equal((SyncStatus.Completed, SyncType.Delta), (result.Status, result.Type));
        Assert.Empty(result.Errors);
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));

        var reconcile = await h.SyncAsync(token, SyncType.Reconcile);
        Assert.Equal((SyncStatus.Completed, SyncType.Reconcile), (reconcile.Status, reconcile.Type));
        Assert.True(reconcile.Drift.Count == 0,
            "drift: " + string.Join(", ",
            reconcile.Drift.Select(d => $"{d.EntityType}.{d.Field} x{d.RowCount} (e.g. {d.ExampleCanvasId})")));
        Assert.All(reconcile.Counts.Where(c => c.Key is not ("tasks" or "teams")), c =>
            Assert.Equal((c.Key, 0L, 0L, 0L), (c.Key, c.Value.Created, c.Value.Updated, c.Value.Deleted)));
    }

    private static TheoryData<string, string> Cases(IEnumerable<string> changes)
    {
        var data = new TheoryData<string, string>();
        foreach (var change in changes)
        {
            foreach (var provider in new[] { "sqlite", "postgres" }) data.Add(provider, change);
        }

        return data;
    }
}
