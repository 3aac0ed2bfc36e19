using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Api;

/// <summary>PATCH /api/v1/tasks/{id}: the user's own fields of a task, which no sync touches.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TaskEditTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_task_marked_done_stays_done_after_a_delta_that_changes_its_assignment(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId))!.Status);
        var open = (await JsonOf(await alice.Http.GetAsync("/api/v1/tasks?limit=50"))).GetProperty("items").EnumerateArray()
            .First(t => t.GetProperty("source").GetString() == "assignment");
        var id = open.GetProperty("id").GetInt64();
        Assert.False(open.GetProperty("completed").GetBoolean());
        var feed = (await JsonOf(await alice.Http.GetAsync("/api/v1/changes?since=now"))).GetProperty("next_cursor").GetString()!;

        using var patched = await alice.Http.PatchAsJsonAsync($"/api/v1/tasks/{id}",
            new { completed = true, estimated_minutes = 90, notes = "chapter 3 first" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var mine = await JsonOf(patched);
        Assert.True(mine.GetProperty("completed").GetBoolean());
        Assert.False(mine.GetProperty("canvas_completed").GetBoolean());
        Assert.Equal(90, mine.GetProperty("estimated_minutes").GetInt32());

        // The change feed reports the edit like any change.
        var changes = (await JsonOf(await alice.Http.GetAsync($"/api/v1/changes?since={Uri.EscapeDataString(feed)}")))
            .GetProperty("changes").EnumerateArray().ToList();
        var change = Assert.Single(changes);
        Assert.Equal(("tasks", id, "updated"),
            (change.GetProperty("entity_type").GetString(), change.GetProperty("id").GetInt64(), change.GetProperty("change").GetString()));

        // Canvas renames the assignment and moves its due date; a delta brings that in and leaves the user's fields be.
        var assignment = open.GetProperty("canvas_assignment_id").GetInt64();
        var due = DateTime.UtcNow.AddDays(3).Date.AddHours(23).AddMinutes(59);
        using (var canvas = new HttpClient { BaseAddress = new Uri(h.Sandbox.BaseUrl) })
            (await canvas.PostAsJsonAsync($"/_sandbox/assignments/{assignment}",
                new { name = "Renamed by the teacher", due_at = due })).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!.Status);
        var after = (await JsonOf(await alice.Http.GetAsync("/api/v1/tasks?include_completed=true&limit=200"))).GetProperty("items")
            .EnumerateArray()
            .Single(t => t.GetProperty("id").GetInt64() == id);
        Assert.Equal("Renamed by the teacher", after.GetProperty("title").GetString());
        Assert.Equal(due, after.GetProperty("due_date").GetDateTime().ToUniversalTime());
        Assert.True(after.GetProperty("completed").GetBoolean());
        Assert.True(after.GetProperty("user_completed").GetBoolean());
        Assert.Equal(90, after.GetProperty("user_estimated_minutes").GetInt32());
        Assert.Equal("chapter 3 first", after.GetProperty("notes").GetString());
        var stillOpen = (await JsonOf(await alice.Http.GetAsync("/api/v1/tasks?limit=200"))).GetProperty("items").EnumerateArray();
        Assert.DoesNotContain(stillOpen, t => t.GetProperty("id").GetInt64() == id); // done by the user's word

        // null gives the field back to Canvas.
        var cleared = await JsonOf(await alice.Http.PatchAsJsonAsync($"/api/v1/tasks/{id}",
            new { completed = (bool?)null, notes = (string?)null }));
        Assert.False(cleared.GetProperty("completed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("notes").ValueKind);
        Assert.Equal(90, cleared.GetProperty("user_estimated_minutes").GetInt32()); // not sent, not changed
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bad_edits_name_their_field_and_another_users_task_is_not_found(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        var bob = await h.AddUserAsync("bob");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        (await h.ConnectCanvasAsync(bob)).EnsureSuccessStatusCode();
        await h.SyncStoredAsync(alice.UserId);
        var id = (await JsonOf(await alice.Http.GetAsync("/api/v1/tasks?limit=1"))).GetProperty("items")[0].GetProperty("id").GetInt64();

        (object Body, string Field)[] bad =
        [
            (new { completed = "yes" }, "completed"),
            (new { estimated_minutes = 0 }, "estimated_minutes"),
            (new { estimated_minutes = 1.5 }, "estimated_minutes"),
            (new { notes = new string('n', 10_001) }, "notes"),
            (new { title = "mine now" }, "title"),
            (new[] { 1, 2 }, "body"),
        ];
        foreach (var (body, field) in bad)
        {
            using var response = await alice.Http.PatchAsJsonAsync($"/api/v1/tasks/{id}", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await JsonOf(response)).GetProperty("errors").TryGetProperty(field, out _), field);
        }

        using var notBobs = await bob.Http.PatchAsJsonAsync($"/api/v1/tasks/{id}", new { completed = true });
        Assert.Equal(HttpStatusCode.NotFound, notBobs.StatusCode);
        var untouched = (await JsonOf(await alice.Http.GetAsync("/api/v1/tasks?limit=1"))).GetProperty("items")[0];
        Assert.Equal(JsonValueKind.Null, untouched.GetProperty("user_completed").ValueKind);
    }
}
