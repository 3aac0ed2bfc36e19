using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Api;

/// <summary>
/// The apps CanvasSync replaces call it unchanged: each documented request of PulsePlan, the course dashboard and the
/// sync monitoring app, replayed as their documentation writes it, and every documented field checked against the mirror.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SeedAppsTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task PulsePlans_documented_requests_get_their_documented_answers(string provider)
    {
        await using var h = await StartAsync(provider, postgres, ["--Sync:SchedulerEnabled=false"]);
        var alice = await h.AddUserAsync("alice");

        var connect = await JsonOf(await alice.Http.PostAsJsonAsync("/api/v1/canvas/connect",
            new { canvas_url = h.Sandbox.BaseUrl, api_token = h.Sandbox.Tokens.Student }));
        Assert.True(connect.GetProperty("success").GetBoolean());
        Assert.Equal((alice.UserId, h.Sandbox.BaseUrl),
            (connect.GetProperty("user_id").GetInt64(), connect.GetProperty("canvas_url").GetString()));
        foreach (var field in new[] { "message", "status", "stored_at" })
            Assert.Equal(JsonValueKind.String, connect.GetProperty(field).ValueKind);

        using var syncResponse = await alice.Http.PostAsJsonAsync("/api/v1/canvas/sync", new { sync_type = "full", force_restart = false });
        var sync = await JsonOf(syncResponse);
        Assert.True(sync.GetProperty("success").GetBoolean());
        Assert.Equal("queued", sync.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, sync.GetProperty("message").ValueKind);
        await WaitForAsync(alice, sync.GetProperty("sync_id").GetInt64());

        long live;
        await using (var db = h.Database.Context()) live = await db.Assignments.CountAsync(a => a.DeletedAt == null);
        var status = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"));
        Assert.Equal((alice.UserId, true, h.Sandbox.BaseUrl, "ok", live),
            (status.GetProperty("user_id").GetInt64(), status.GetProperty("connected").GetBoolean(),
            status.GetProperty("canvas_url").GetString(), status.GetProperty("status").GetString(),
                status.GetProperty("assignments_count").GetInt64()));
        Assert.True(status.GetProperty("last_sync").GetDateTime() <= DateTime.UtcNow);

        var page = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/assignments?limit=50&include_completed=false"));
        Assert.True(page.GetProperty("success").GetBoolean());
        Assert.Equal(alice.UserId, page.GetProperty("user_id").GetInt64());
        var tasks = page.GetProperty("assignments").EnumerateArray().ToList();
        Assert.Equal(tasks.Count, page.GetProperty("count").GetInt32());
        Assert.InRange(tasks.Count, 1, 50);
        using var plain = new HttpClient();
        var truth = await MirrorTruth.TruthAsync(plain, h.Sandbox, h.Sandbox.Tokens.Student);
        var canvasAssignments = truth.GetProperty("assignments").EnumerateArray().ToDictionary(a => a.GetProperty("id").GetInt64());
        var courseNames = truth.GetProperty("courses").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetInt64(),
            c => c.TryGetProperty("name", out var n) ? n.GetString() : null);
        foreach (var task in tasks)
        {
            var canvas = canvasAssignments[long.Parse(task.GetProperty("external_id").GetString()!,
                System.Globalization.CultureInfo.InvariantCulture)];
            Assert.Equal("canvas", task.GetProperty("external_source").GetString());
            Assert.Equal(canvas.GetProperty("name").GetString(), task.GetProperty("title").GetString());
            DateTime? canvasDue = canvas.GetProperty("due_at").ValueKind == JsonValueKind.Null ? null
                : canvas.GetProperty("due_at").GetDateTime().ToUniversalTime();
            DateTime? taskDue = task.GetProperty("due_date").ValueKind == JsonValueKind.Null ? null
                : task.GetProperty("due_date").GetDateTime().ToUniversalTime();
            Assert.Equal(canvasDue, taskDue);
            Assert.Equal(courseNames[canvas.GetProperty("course_id").GetInt64()], task.GetProperty("subject").GetString());
            // The description is text: no markup left.
            if (task.GetProperty("description").GetString() is { } text) Assert.DoesNotContain("<p>", text, StringComparison.Ordinal);
            Assert.True(task.TryGetProperty("id", out _));
        }

        Assert.Contains(tasks, t => t.GetProperty("description").GetString() is { Length: > 0 });
        using var disconnect = await alice.Http.DeleteAsync("/api/v1/canvas/disconnect");
        Assert.Equal(HttpStatusCode.OK, disconnect.StatusCode);
        Assert.False((await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"))).GetProperty("connected").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_course_dashboards_auto_sync_and_cache_first_reads_answer_as_documented(string provider)
    {
        await using var h = await StartAsync(provider, postgres, ["--Sync:SchedulerEnabled=false"]);
        var bob = await h.AddUserAsync("bob");
        using (var none = await bob.Http.GetAsync("/api/canvas/auto-sync")) Assert.Equal(HttpStatusCode.Conflict, none.StatusCode);
        (await h.ConnectCanvasAsync(bob)).EnsureSuccessStatusCode();

        var before = await JsonOf(await bob.Http.GetAsync("/api/canvas/auto-sync"));
        Assert.Equal((JsonValueKind.Null, true, 0, 0),
            (before.GetProperty("lastSync").ValueKind, before.GetProperty("needsSync").GetBoolean(),
            before.GetProperty("cached").GetProperty("courses").GetInt32(),
                before.GetProperty("cached").GetProperty("assignments").GetInt32()));

        var synced = await JsonOf(await bob.Http.PostAsync("/api/canvas/auto-sync", null));
        Assert.True(synced.GetProperty("success").GetBoolean());
        using var plain = new HttpClient();
        var truth = await MirrorTruth.TruthAsync(plain, h.Sandbox, h.Sandbox.Tokens.Student);
        var (courses, assignments) = (MirrorTruth.Truth(truth, "courses"), MirrorTruth.Truth(truth, "assignments"));
        Assert.Equal((courses.Count, assignments.Count),
            (synced.GetProperty("stats").GetProperty("courses").GetInt32(),
            synced.GetProperty("stats").GetProperty("assignments").GetInt32()));

        var after = await JsonOf(await bob.Http.GetAsync("/api/canvas/auto-sync"));
        Assert.False(after.GetProperty("needsSync").GetBoolean());
        Assert.True(after.GetProperty("lastSync").GetDateTime() <= DateTime.UtcNow);
        Assert.Equal(courses.Count, after.GetProperty("cached").GetProperty("courses").GetInt32());

        // Cache-first reads: the JSON Canvas served, field for field, as the dashboard had it from Canvas itself.
        foreach (var (path, expected) in new[] { ("/api/canvas/courses", courses), ("/api/canvas/assignments", assignments) })
        {
            var served = (await JsonOf(await bob.Http.GetAsync(path))).EnumerateArray()
                .ToDictionary(i => i.GetProperty("id").GetRawText(), i => i.Clone());
            Assert.Equal(expected.Keys.Order(), served.Keys.Order());
            Assert.All(expected, e =>
                Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(e.Value).RootElement, served[e.Key]), $"{path}: {e.Key} differs"));
        }

        var grades = (await JsonOf(await bob.Http.GetAsync("/api/canvas/grades"))).EnumerateArray().ToList();
        Assert.True(JsonElement.DeepEquals(await JsonOf(await bob.Http.GetAsync("/api/v1/canvas/grades")),
            JsonSerializer.SerializeToElement(grades)));
        Assert.NotEmpty(grades);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_sync_monitoring_apps_endpoints_carry_the_fields_its_dashboard_reads(string provider)
    {
        await using var h = await StartAsync(provider, postgres, ["--Sync:SchedulerEnabled=false"]);
        var carol = await h.AddUserAsync("carol");
        var root = await h.AddUserAsync("root", admin: true);
        (await h.ConnectCanvasAsync(carol)).EnsureSuccessStatusCode();
        var done = (await h.SyncStoredAsync(carol.UserId))!;
        using (var control = new HttpClient())
            (await control.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/tokens/revoke",
                new { token = h.Sandbox.Tokens.Student })).EnsureSuccessStatusCode();
        var dead = (await h.SyncStoredAsync(carol.UserId, Features.SyncRuns.SyncType.Delta))!;

        var health = await JsonOf(await root.Http.GetAsync("/api/canvas/metrics/health"));
        Assert.Equal("healthy", health.GetProperty("database").GetString());
        Assert.Contains(health.GetProperty("status").GetString(), new[] { "healthy", "degraded", "unhealthy" });
        Assert.True(health.GetProperty("timestamp").GetDateTime() <= DateTime.UtcNow);

        var summary = await JsonOf(await root.Http.GetAsync("/api/canvas/metrics/summary?days=7"));
        Assert.Equal((2, 1, 1, 50.0, 1), (summary.GetProperty("total_syncs").GetInt32(), summary.GetProperty("successful_syncs").GetInt32(),
            summary.GetProperty("failed_syncs").GetInt32(), summary.GetProperty("success_rate").GetDouble(),
                summary.GetProperty("unique_users").GetInt32()));
        Assert.Equal(Math.Round(done.Duration.TotalSeconds, 3), summary.GetProperty("average_duration_seconds").GetDouble(), 3);
        Assert.Equal(done.Counts["courses"].Created, summary.GetProperty("total_courses_processed").GetInt64());

        var recent = await JsonOf(await root.Http.GetAsync("/api/canvas/metrics/recent?limit=10"));
        var syncs = recent.GetProperty("syncs").EnumerateArray().ToList();
        Assert.Equal(2, recent.GetProperty("count").GetInt32());
        var first = syncs.Single(s =>
            s.GetProperty("sync_task_id").GetString() == done.RunId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((carol.UserId, "completed", done.Counts["courses"].Created, JsonValueKind.Null),
            (first.GetProperty("user_id").GetInt64(),
            first.GetProperty("sync_status").GetString(), first.GetProperty("courses").GetProperty("processed").GetInt64(),
                first.GetProperty("error_message").ValueKind));
        Assert.Equal(Math.Round(done.Duration.TotalSeconds, 3), first.GetProperty("total_duration_seconds").GetDouble(), 3);
        Assert.Equal(JsonValueKind.String, first.GetProperty("sync_start_time").ValueKind);

        var failed = await JsonOf(await root.Http.GetAsync("/api/canvas/metrics/failed?days=7"));
        var failure = Assert.Single(failed.GetProperty("syncs").EnumerateArray());
        Assert.Equal((1, "needs_reauth", dead.RunId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (failed.GetProperty("count").GetInt32(),
            failure.GetProperty("sync_status").GetString(), failure.GetProperty("sync_task_id").GetString()));
        Assert.Contains("revoked", failure.GetProperty("error_message").GetString(), StringComparison.OrdinalIgnoreCase);

        var performance = await JsonOf(await root.Http.GetAsync("/api/canvas/metrics/performance?days=30"));
        Assert.Equal(1, performance.GetProperty("sync_count").GetInt32());
        Assert.Equal(Math.Round(done.Duration.TotalSeconds, 3), performance.GetProperty("duration").GetProperty("avg_seconds").GetDouble(),
            3);
        Assert.Equal(done.Requests, performance.GetProperty("api_calls").GetProperty("total").GetInt64());
        Assert.Equal(done.Counts["assignments"].Created,
            performance.GetProperty("items_processed").GetProperty("total_assignments").GetInt64());

        // Carol sees her own runs only, as in CanvasSync's own metrics API.
        Assert.Equal(2, (await JsonOf(await carol.Http.GetAsync("/api/canvas/metrics/recent"))).GetProperty("count").GetInt32());
        Assert.Equal(0, (await JsonOf(await root.Http.GetAsync("/api/v1/metrics/recent?user_id=" + root.UserId))).GetProperty("items")
            .GetArrayLength());
    }

    private static async Task WaitForAsync(Caller caller, long runId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await JsonOf(await caller.Http.GetAsync($"/api/v1/canvas/sync/{runId}"))).GetProperty("status")
            .GetString() is "queued" or "running")
        {
            Assert.True(DateTime.UtcNow < deadline, "the sync did not finish");
            await Task.Delay(100);
        }
    }
}
