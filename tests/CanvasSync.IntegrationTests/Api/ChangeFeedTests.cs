using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Api;

/// <summary>GET /api/v1/changes: an app that copied the data follows the feed and stays equal to the mirror.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ChangeFeedTests(PostgresServer postgres)
{
    private sealed record Change(string EntityType, long Id, string Kind, JsonElement Data)
    {
        /// <summary>Planner items are keyed by type and id; everything else by id.</summary>
        public string Key => EntityType + ":" + (Data.TryGetProperty("plannable_type", out var t) ? t.GetString() + ":" : "") + Id;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task After_a_delta_the_feed_holds_what_was_created_changed_and_deleted_and_nothing_else(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        var beforeSync = await JsonOf(await alice.Http.GetAsync("/api/v1/changes?since=now"));
        Assert.Empty(beforeSync.GetProperty("changes").EnumerateArray());
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId))!.Status);

        // From the start, in small pages: every row once, all of them created, as many as the status counts.
        var (everything, cursor) = await ReadFeedAsync(alice.Http, null, limit: 97);
        Assert.All(everything, c => Assert.Equal("created", c.Kind));
        Assert.Equal(everything.Count, everything.Select(c => c.Key).Distinct().Count());
        var counts = (await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"))).GetProperty("counts");
        foreach (var type in counts.EnumerateObject())
            Assert.True(type.Value.GetInt64() == everything.Count(c =>
                c.EntityType == type.Name), $"{type.Name}: {type.Value} counted, {everything.Count(c => c.EntityType == type.Name)} in the feed");
        // The same cursor comes from a feed started after the sync.
        var (fromBeforeSync, _) = await ReadFeedAsync(alice.Http, beforeSync.GetProperty("next_cursor").GetString(), limit: 500);
        Assert.Equal(everything.Select(c => c.Key), fromBeforeSync.Select(c => c.Key));

        // Canvas changes: one assignment renamed, one deleted, one created, and Alice submits a fourth.
        var open = await DataApiTests.AllPagesAsync(alice.Http, "/api/v1/canvas/assignments?limit=200");
        var (renamed, deleted, submittedFor) =
            (open[0].GetProperty("id").GetInt64(), open[1].GetProperty("id").GetInt64(), open[2].GetProperty("id").GetInt64());
        var course = open[0].GetProperty("course_id").GetInt64();
        var submission = (await DataApiTests.AllPagesAsync(alice.Http, $"/api/v1/canvas/submissions?assignment_id={submittedFor}")).Single()
            .GetProperty("id").GetInt64();
        using var canvas = new HttpClient { BaseAddress = new Uri(h.Sandbox.BaseUrl) };
        (await canvas.PostAsJsonAsync($"/_sandbox/assignments/{renamed}",
            new { name = "Renamed by the teacher" })).EnsureSuccessStatusCode();
        (await canvas.DeleteAsync($"/_sandbox/assignments/{deleted}")).EnsureSuccessStatusCode();
        var created = (await JsonOf(await canvas.PostAsJsonAsync($"/_sandbox/courses/{course}/assignments",
            new { name = "Brand new", points_possible = 10 })))
            .GetProperty("id").GetInt64();
        (await canvas.PostAsync($"/_sandbox/submissions/{submission}/submit", null)).EnsureSuccessStatusCode();
        var beforeDelta = DateTime.UtcNow;
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!.Status);

        var (changes, next) = await ReadFeedAsync(alice.Http, cursor, limit: 3);
        Assert.Equal(changes.Count, changes.Select(c => c.Key).Distinct().Count());
        var assignments = changes.Where(c => c.EntityType == "assignments").ToList();
        Assert.Equal([created], assignments.Where(c => c.Kind == "created").Select(c => c.Id));
        Assert.Equal([deleted], assignments.Where(c => c.Kind == "deleted").Select(c => c.Id));
        // Alice's assignments carry her submission, so the one she submitted changed too.
        Assert.Equal(new[] { renamed, submittedFor }.Order(), assignments.Where(c => c.Kind == "updated").Select(c => c.Id).Order());
        Assert.Equal("Renamed by the teacher", assignments.Single(c => c.Id == renamed).Data.GetProperty("name").GetString());
        Assert.True(assignments.Single(c => c.Id == submittedFor).Data.GetProperty("completed").GetBoolean());

        var submissions = changes.Where(c => c.EntityType == "submissions").ToList();
        Assert.Contains(submissions, c => c.Id == submission && c.Kind == "updated"
            && c.Data.GetProperty("workflow_state").GetString() == "submitted");
        Assert.Contains(submissions, c => c.Kind == "deleted" && c.Data.GetProperty("assignment_id").GetInt64() == deleted);
        var tasks = changes.Where(c => c.EntityType == "tasks").ToList();
        Assert.Equal([created], tasks.Where(c => c.Kind == "created").Select(c => c.Data.GetProperty("canvas_assignment_id").GetInt64()));
        Assert.Equal([deleted], tasks.Where(c => c.Kind == "deleted").Select(c => c.Data.GetProperty("canvas_assignment_id").GetInt64()));
        Assert.Equal(new[] { renamed, submittedFor }.Order(),
            tasks.Where(c => c.Kind == "updated").Select(c => c.Data.GetProperty("canvas_assignment_id").GetInt64()).Order());
        // The course's grades moved (its JSON and Alice's enrollment carry her totals); nothing else did.
        Assert.All(changes.Where(c => c.EntityType is "courses"), c => Assert.Equal((course, "updated"), (c.Id, c.Kind)));
        Assert.All(changes.Where(c => c.EntityType is "enrollments"), c =>
            Assert.Equal((course, "student"), (c.Data.GetProperty("course_id").GetInt64(), c.Data.GetProperty("role").GetString())));
        Assert.DoesNotContain(changes, c =>
            c.EntityType is "terms" or "users" or "assignment_groups" or "groups" or "group_memberships" or "group_categories");

        // updated_since agrees with the feed about which assignments changed.
        var recent = await DataApiTests.AllPagesAsync(alice.Http,
            $"/api/v1/canvas/assignments?include_completed=true&updated_since={Uri.EscapeDataString(beforeDelta.ToString("O"))}");
        Assert.Equal(new[] { renamed, submittedFor, created }.Order(), recent.Select(a => a.GetProperty("id").GetInt64()).Order());

        // Caught up: nothing more, and the cursor stays.
        var idle = await JsonOf(await alice.Http.GetAsync($"/api/v1/changes?since={next}"));
        Assert.Empty(idle.GetProperty("changes").EnumerateArray());
        Assert.False(idle.GetProperty("has_more").GetBoolean());
        Assert.Equal(next, idle.GetProperty("next_cursor").GetString());

        // A reader further behind sees the new assignment once, as created, with its latest name.
        (await canvas.PostAsJsonAsync($"/_sandbox/assignments/{created}", new { name = "Brand new, renamed" })).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!.Status);
        var (behind, _) = await ReadFeedAsync(alice.Http, cursor, limit: 500);
        var newOne = behind.Single(c => c.EntityType == "assignments" && c.Id == created);
        Assert.Equal(("created", "Brand new, renamed"), (newOne.Kind, newOne.Data.GetProperty("name").GetString()));
        var (latest, _) = await ReadFeedAsync(alice.Http, next, limit: 500);
        Assert.Equal("updated", latest.Single(c => c.EntityType == "assignments").Kind);

        // Purged and connected again, the connection's versions start over: an old cursor is refused, not followed.
        (await alice.Http.DeleteAsync("/api/v1/canvas/disconnect?purge=true")).EnsureSuccessStatusCode();
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        using var stale = await alice.Http.GetAsync($"/api/v1/changes?since={Uri.EscapeDataString(next)}");
        Assert.Equal(HttpStatusCode.Gone, stale.StatusCode);
        Assert.Equal("cursor_expired", (await JsonOf(stale)).GetProperty("code").GetString());
    }

    /// <summary>Follows the feed from <paramref name="since"/> until has_more is false.</summary>
    private static async Task<(List<Change> Changes, string Cursor)> ReadFeedAsync(HttpClient http, string? since, int limit)
    {
        var changes = new List<Change>();
        while (true)
        {
            using var response = await http.GetAsync($"/api/v1/changes?limit={limit}" + (since is null ? ""
                : $"&since={Uri.EscapeDataString(since)}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await JsonOf(response);
            var items = page.GetProperty("changes").EnumerateArray().ToList();
            Assert.True(items.Count <= limit);
            changes.AddRange(items.Select(c =>
                new Change(c.GetProperty("entity_type").GetString()!, c.GetProperty("id").GetInt64(), c.GetProperty("change").GetString()!,
                c.GetProperty("data").Clone())));
            since = page.GetProperty("next_cursor").GetString()!;
            if (!page.GetProperty("has_more").GetBoolean()) return (changes, since);
        }
    }
}
