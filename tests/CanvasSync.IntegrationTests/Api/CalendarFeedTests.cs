using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using Ical.Net.CalendarComponents;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Api;

/// <summary>
/// The calendar feed: a secret URL from GET /api/v1/calendar, fetched without a key as calendar apps do, parsed with
/// Ical.Net and held against the tasks; updated by syncs and the user's own marks; revocable.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CalendarFeedTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_feed_lists_every_dated_task_with_its_submission_status_and_follows_syncs_and_revocation(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId))!.Status);

        var feed = await JsonOf(await alice.Http.GetAsync("/api/v1/calendar"));
        var url = feed.GetProperty("ics_url").GetString()!;
        Assert.Equal(url, (await JsonOf(await alice.Http.GetAsync("/api/v1/calendar"))).GetProperty("ics_url")
            .GetString()); // the same URL each time
        var calendarApp = h.Anonymous();
        using var response = await calendarApp.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        var events = Parse(await response.Content.ReadAsStringAsync());

        // One event per dated task, at its due time, named after it, ticked when done.
        var tasks = await AllTasksAsync(alice.Http);
        var dated = tasks.Where(t => t.GetProperty("due_date").ValueKind != JsonValueKind.Null).ToList();
        Assert.Equal(dated.Count, events.Count);
        Assert.Contains(dated, t => t.GetProperty("source").GetString() == "planner_note"); // the planner's own to-dos too
        foreach (var task in dated)
        {
            var e = events[$"canvassync-task-{task.GetProperty("id").GetInt64()}"];
            Assert.Equal(task.GetProperty("due_date").GetDateTime().ToUniversalTime(), e.DtStart!.AsUtc);
            Assert.Equal((task.GetProperty("completed").GetBoolean() ? "✓ " : "") + task.GetProperty("title").GetString(), e.Summary);
            if (task.GetProperty("canvas_assignment_id") is { ValueKind: JsonValueKind.Number } assignmentId)
                Assert.EndsWith($"/assignments/{assignmentId.GetInt64()}", e.Url!.ToString(), StringComparison.Ordinal);
        }

        // The status is the submission's, as the assignments API shows it.
        var assignments = (await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/assignments?include_completed=true&limit=200")))
            .GetProperty("assignments").EnumerateArray()
            .ToDictionary(a => a.GetProperty("id").GetInt64());
        var statuses = dated.Where(t => t.GetProperty("source").GetString() == "assignment")
            .Select(t => (Task: t, Assignment: assignments.GetValueOrDefault(t.GetProperty("canvas_assignment_id").GetInt64())))
                .Where(x => x.Assignment.ValueKind != JsonValueKind.Undefined).ToList();
        Assert.NotEmpty(statuses);
        foreach (var (task, assignment) in statuses)
        {
            var description = events[$"canvassync-task-{task.GetProperty("id").GetInt64()}"].Description!;
            var expected = assignment.GetProperty("submission") is { ValueKind: JsonValueKind.Object } s
                ? s.GetProperty("excused").GetBoolean() ? "excused"
                : s.GetProperty("workflow_state").GetString() == "graded" ? "graded"
                : s.GetProperty("workflow_state").GetString() is "submitted" or "pending_review" ? "submitted"
                : s.GetProperty("missing").GetBoolean() ? "missing" : "not submitted"
                : "not submitted";
            Assert.Contains("Status: " + expected, description, StringComparison.Ordinal);
        }
        Assert.Contains(events.Values, e => e.Description!.Contains("Status: graded", StringComparison.Ordinal));
        Assert.Contains(events.Values, e => e.Description!.Contains("Status: not submitted", StringComparison.Ordinal));

        // A user's own mark and a sync's rename both show at the next fetch.
        var open = dated.First(t => !t.GetProperty("completed").GetBoolean() && t.GetProperty("source").GetString() == "assignment");
        var id = open.GetProperty("id").GetInt64();
        (await alice.Http.PatchAsJsonAsync($"/api/v1/tasks/{id}", new { completed = true })).EnsureSuccessStatusCode();
        using (var canvas = new HttpClient { BaseAddress = new Uri(h.Sandbox.BaseUrl) })
            (await canvas.PostAsJsonAsync($"/_sandbox/assignments/{open.GetProperty("canvas_assignment_id").GetInt64()}",
                new { name = "Renamed in Canvas" })).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!.Status);
        var again = Parse(await calendarApp.GetStringAsync(url))[$"canvassync-task-{id}"];
        Assert.Equal("✓ Renamed in Canvas", again.Summary);
        Assert.Contains("marked done by you", again.Description, StringComparison.Ordinal);

        // Revoked: the old URL is gone, a new one works; a made-up token is the same 404.
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync("/api/v1/calendar")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await calendarApp.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.DeleteAsync("/api/v1/calendar")).StatusCode);
        var renewed = (await JsonOf(await alice.Http.GetAsync("/api/v1/calendar"))).GetProperty("ics_url").GetString()!;
        Assert.NotEqual(url, renewed);
        Assert.Equal(HttpStatusCode.OK, (await calendarApp.GetAsync(renewed)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await calendarApp.GetAsync("/calendar/feed.ics?token=csc_" + new string('A', 43))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await calendarApp.GetAsync("/calendar/feed.ics")).StatusCode);

        // The feed token is a secret: never in a log line.
        var token = new Uri(renewed).Query["?token=".Length..];
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains(token, StringComparison.Ordinal)
            || l.Contains(new Uri(url).Query["?token=".Length..], StringComparison.Ordinal));
    }

    private static Dictionary<string, CalendarEvent> Parse(string ics) =>
        Ical.Net.Calendar.Load(ics)!.Events.ToDictionary(e => e.Uid!);
}
