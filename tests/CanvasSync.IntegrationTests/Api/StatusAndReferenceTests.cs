using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Api;

/// <summary>canvas/status through a connection's life, canvas/test-connection, and the API's own description.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StatusAndReferenceTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Status_goes_from_never_synced_through_syncing_to_up_to_date_with_counts(string provider)
    {
        await using var h = await StartAsync(provider, postgres,
            sandbox: await SandboxServer.StartAsync(new SandboxOptions { LatencyMs = 100 }));
        var alice = await h.AddUserAsync("alice");
        var none = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"));
        Assert.Equal((false, "disconnected", "never_synced"),
            (none.GetProperty("connected").GetBoolean(), none.GetProperty("status").GetString(),
            none.GetProperty("sync_state").GetString()));

        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        var connected = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"));
        Assert.Equal("never_synced", connected.GetProperty("sync_state").GetString());
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null),
            (connected.GetProperty("last_sync").ValueKind, connected.GetProperty("last_run").ValueKind));
        Assert.Equal((alice.UserId, 0),
            (connected.GetProperty("user_id").GetInt64(), connected.GetProperty("assignments_count").GetInt64()));
        Assert.All(connected.GetProperty("counts").EnumerateObject(), c => Assert.Equal(0, c.Value.GetInt64()));
        Assert.Contains("assignments", connected.GetProperty("counts").EnumerateObject().Select(c => c.Name));

        var id = (await JsonOf(await alice.Http.PostAsJsonAsync("/api/v1/canvas/sync", new { sync_type = "full" }))).GetProperty("sync_id")
            .GetInt64();
        Assert.Equal("syncing", (await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"))).GetProperty("sync_state").GetString());
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await JsonOf(await alice.Http.GetAsync($"/api/v1/canvas/sync/{id}"))).GetProperty("status")
            .GetString() is "queued" or "running")
        {
            Assert.True(DateTime.UtcNow < deadline, "the sync did not finish");
            await Task.Delay(100);
        }

        var synced = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"));
        Assert.Equal("up_to_date", synced.GetProperty("sync_state").GetString());
        Assert.Equal((id, "completed", "full"), (synced.GetProperty("last_run").GetProperty("sync_id").GetInt64(),
            synced.GetProperty("last_run").GetProperty("status").GetString(),
                synced.GetProperty("last_run").GetProperty("sync_type").GetString()));
        // PulsePlan's fields: last_sync is when the last complete sync started (a time), assignments_count the mirror's.
        Assert.Equal(synced.GetProperty("last_full_sync_at").GetDateTime(), synced.GetProperty("last_sync").GetDateTime());
        Assert.Equal(synced.GetProperty("counts").GetProperty("assignments").GetInt64(),
            synced.GetProperty("assignments_count").GetInt64());
        using var plain = new HttpClient();
        var truth = await MirrorTruth.TruthAsync(plain, h.Sandbox, h.Sandbox.Tokens.Student);
        foreach (var collection in new[] { "courses", "assignments", "submissions", "enrollments", "groups" })
            Assert.Equal(truth.GetProperty(collection).GetArrayLength(), synced.GetProperty("counts").GetProperty(collection).GetInt64());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Test_connection_asks_canvas_and_saves_nothing(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        using var good = await alice.Http.PostAsJsonAsync("/api/v1/canvas/test-connection",
            new { canvas_url = h.Sandbox.BaseUrl, api_token = h.Sandbox.Tokens.Student });
        var body = await JsonOf(good);
        Assert.True(good.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("canvas_user_name").GetString()));
        await using (var db = h.Database.Context())
            Assert.False(await db.Connections.AnyAsync());
        Assert.Equal("disconnected", (await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"))).GetProperty("status").GetString());

        (object Body, string Field, string? Code)[] refused =
        [
            (new { canvas_url = h.Sandbox.BaseUrl, api_token = "7~" + new string('Z', 64) }, "api_token", "token_invalid"),
            (new { canvas_url = h.Sandbox.BaseUrl, api_token = h.Sandbox.Tokens.Expired }, "api_token", "token_expired"),
            (new { canvas_url = h.Sandbox.BaseUrl }, "api_token", "required"),
            (new { canvas_url = "file:///etc/passwd", api_token = h.Sandbox.Tokens.Student }, "canvas_url", "url_not_allowed"),
        ];
        foreach (var (request, field, code) in refused)
        {
            using var response = await alice.Http.PostAsJsonAsync("/api/v1/canvas/test-connection", request);
            var problem = await JsonOf(response);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem.ToString());
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
            Assert.Equal(code, problem.GetProperty("code").GetString());
        }

        using var broken = await alice.Http.PostAsync("/api/v1/canvas/test-connection",
            new StringContent("{\"canvas_url\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.True((await JsonOf(broken)).GetProperty("errors").TryGetProperty("body", out _));
        await using (var db = h.Database.Context())
            Assert.False(await db.Connections.AnyAsync());
    }

    [Fact]
    public async Task The_openapi_document_describes_every_api_route_and_the_reference_page_shows_it()
    {
        await using var h = await StartAsync("sqlite", postgres);
        using var anonymous = h.Anonymous();
        using var response = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await JsonOf(response);
        var paths = document.GetProperty("paths");

        var endpoints = h.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true).ToList();
        Assert.True(endpoints.Count >= 19, $"{endpoints.Count} endpoints");
        foreach (var endpoint in endpoints)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(endpoint.RoutePattern.RawText!, ":[a-z]+}", "}");
            Assert.True(paths.TryGetProperty(path, out var operations), $"{path} is not in the document");
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                Assert.True(operations.TryGetProperty(method.ToLowerInvariant(),
                    out var operation), $"{method} {path} is not in the document");
                Assert.True(operation.GetProperty("responses")
                    .TryGetProperty("401", out _), $"{method} {path} does not say it may answer 401");
            }
        }

        // snake_case, as the API answers, and the query names as the API reads them.
        var assignments = paths.GetProperty("/api/v1/canvas/assignments").GetProperty("get");
        Assert.Equal(["limit", "cursor", "course_id", "due_after", "due_before", "include_completed", "updated_since"],
            assignments.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.True(document.GetProperty("components").GetProperty("schemas").GetProperty("AssignmentView").GetProperty("properties")
            .TryGetProperty("due_at", out _));
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("api_key", out _));

        using var page = await anonymous.GetAsync("/reference/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var script = await anonymous.GetAsync("/reference/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }
}
