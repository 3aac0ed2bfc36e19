using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Api;

/// <summary>Sync control over HTTP: start, watch as server-sent events, read, cancel, retry, list.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SyncApiTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_sync_is_queued_watched_over_sse_to_its_end_and_read_back(string provider)
    {
        await using var h = await StartAsync(provider, postgres,
            sandbox: await SandboxServer.StartAsync(new SandboxOptions { LatencyMs = 10 }));
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();

        using var started = await alice.Http.PostAsJsonAsync("/api/v1/canvas/sync", new { sync_type = "full" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var body = await JsonOf(started);
        var id = body.GetProperty("sync_id").GetInt64();
        Assert.Contains(body.GetProperty("status").GetString(), new[] { "queued", "running" });
        Assert.Equal($"/api/v1/canvas/sync/{id}", started.Headers.Location?.OriginalString);

        var events = await ReadEventsAsync(alice.Http, id);
        Assert.Equal("completed", events[^1].Event);
        Assert.Equal([25, 50, 75], events.Where(e => e.Event == "milestone").Select(e => e.Data.GetProperty("percent").GetInt32()));
        var ids = events.Select(e => long.Parse(e.Id, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Contains(events, e => e.Event == "progress" && e.Data.GetProperty("items_done").GetInt64() > 0);
        Assert.Contains(events, e => e.Event == "course_done");

        // Last-Event-ID picks up exactly after the given event.
        var resumed = await ReadEventsAsync(alice.Http, id, lastEventId: ids[2]);
        Assert.Equal(ids.Skip(3), resumed.Select(e => long.Parse(e.Id, System.Globalization.CultureInfo.InvariantCulture)));

        var run = await JsonOf(await alice.Http.GetAsync($"/api/v1/canvas/sync/{id}"));
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(100, run.GetProperty("progress").GetProperty("percent").GetDouble());
        Assert.True(run.GetProperty("counts").GetProperty("assignments").GetProperty("created").GetInt64() > 0);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_second_trigger_gets_the_running_sync_cancel_stops_it_and_retry_queues_it_again(string provider)
    {
        await using var h = await StartAsync(provider, postgres,
            sandbox: await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Instructor, LatencyMs = 50 }));
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice, token: h.Sandbox.Tokens.Teacher)).EnsureSuccessStatusCode();

        var id = (await JsonOf(await alice.Http.PostAsJsonAsync("/api/v1/canvas/sync", new { sync_type = "full" }))).GetProperty("sync_id")
            .GetInt64();
        var again = await JsonOf(await alice.Http.PostAsJsonAsync("/api/v1/canvas/sync", new { sync_type = "delta" }));
        Assert.Equal(id, again.GetProperty("sync_id").GetInt64());
        Assert.True(again.GetProperty("already_in_progress").GetBoolean());

        await UntilAsync(alice.Http, id, run => run.GetProperty("progress").GetProperty("items_done").GetInt64() > 500);
        using var cancel = await alice.Http.PostAsync($"/api/v1/canvas/sync/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var cancelled = await UntilAsync(alice.Http, id, run => run.GetProperty("status").GetString() == "cancelled");
        Assert.Equal("cancelled", cancelled.GetProperty("error").GetProperty("code").GetString());
        using var late = await alice.Http.PostAsync($"/api/v1/canvas/sync/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);

        using var retry = await alice.Http.PostAsync($"/api/v1/canvas/sync/{id}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var retryId = (await JsonOf(retry)).GetProperty("sync_id").GetInt64();
        Assert.NotEqual(id, retryId);
        var finished = await UntilAsync(alice.Http, retryId, run => run.GetProperty("status").GetString() is not ("queued" or "running"));
        Assert.Equal("completed", finished.GetProperty("status").GetString());
        Assert.True(finished.GetProperty("resumed").GetBoolean() || finished.GetProperty("sync_type").GetString() == "full");

        var page1 = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/syncs?limit=1"));
        Assert.Equal(retryId, page1.GetProperty("items")[0].GetProperty("sync_id").GetInt64());
        var page2 = await JsonOf(await alice.Http.GetAsync($"/api/v1/canvas/syncs?limit=1&cursor={page1.GetProperty("next_cursor").GetString()}"));
        Assert.Equal(id, page2.GetProperty("items")[0].GetProperty("sync_id").GetInt64());
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("next_cursor").ValueKind);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bad_requests_name_their_field_and_a_sync_needs_a_connection(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        using var noConnection = await alice.Http.PostAsJsonAsync("/api/v1/canvas/sync", new { });
        Assert.Equal(HttpStatusCode.Conflict, noConnection.StatusCode);
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();

        await AssertFieldAsync(await alice.Http.PostAsJsonAsync("/api/v1/canvas/sync", new { sync_type = "sideways" }), "sync_type");
        await AssertFieldAsync(await alice.Http.PostAsJsonAsync("/api/v1/canvas/sync", new { sync_type = "reconcile", slow_lane = true }),
            "slow_lane");
        await AssertFieldAsync(await alice.Http.PostAsJsonAsync("/api/v1/canvas/sync", new { scope = new { course_ids = new[] { -4 } } }),
            "scope.course_ids");
        await AssertFieldAsync(await alice.Http.GetAsync("/api/v1/canvas/syncs?limit=0"), "limit");
        await AssertFieldAsync(await alice.Http.GetAsync("/api/v1/canvas/syncs?cursor=abc"), "cursor");
        using var missing = await alice.Http.GetAsync("/api/v1/canvas/sync/999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    private static async Task AssertFieldAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        response.Dispose();
    }

    private static async Task<JsonElement> UntilAsync(HttpClient http, long id, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var run = await JsonOf(await http.GetAsync($"/api/v1/canvas/sync/{id}"));
            if (condition(run)) return run;
            Assert.True(DateTime.UtcNow < deadline, $"sync {id} did not get there: {run}");
            await Task.Delay(50);
        }
    }

    /// <summary>Reads a text/event-stream to its end (the server closes it after the final event).</summary>
    private static async Task<List<ServerEvent>> ReadEventsAsync(HttpClient http, long id, long? lastEventId = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var events = new List<ServerEvent>();
        await foreach (var e in ServerEvents.ReadAsync(http, id, lastEventId, timeout.Token)) events.Add(e);
        return events;
    }
}
