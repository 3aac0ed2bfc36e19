using System.Net;
using System.Net.Http.Json;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Accounts;

/// <summary>One user never reaches another's data, and no secret survives anywhere but as ciphertext.</summary>
[Collection(PostgresCollection.Name)]
public sealed class IsolationAndSecretsTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_second_user_gets_404_or_nothing_of_the_first_on_every_endpoint(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        await using var bobsCanvas = await SandboxServer.StartAsync(new SandboxOptions { Seed = 99, FirstId = 50_000_000 });
        var alice = await h.AddUserAsync("alice");
        var bob = await h.AddUserAsync("bob");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        (await h.ConnectCanvasAsync(bob, canvasUrl: bobsCanvas.BaseUrl, token: bobsCanvas.Tokens.Student)).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId))!.Status);
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(bob.UserId))!.Status);

        long aliceConnection;
        long aliceOnlyCourse;
        long aliceRun;
        await using (var db = h.Database.Context())
        {
            aliceConnection = await db.Connections.Where(c => c.UserId == alice.UserId).Select(c => c.Id).SingleAsync();
            aliceRun = await db.SyncRuns.Where(r => r.ConnectionId == aliceConnection).Select(r => r.Id).MaxAsync();
            var bobsCourses = await db.Courses.Where(c => c.ConnectionId != aliceConnection).Select(c => c.CanvasId).ToListAsync();
            aliceOnlyCourse = await db.Courses.Where(c => c.ConnectionId == aliceConnection && !bobsCourses.Contains(c.CanvasId))
                .Select(c => c.CanvasId).FirstAsync();
        }

        // A route's id parameter gets the id of one of Alice's resources of that kind.
        long AliceIdFor(string template, string parameter) =>
            parameter.Contains("connection", StringComparison.OrdinalIgnoreCase) ? aliceConnection
            : template.Contains("/sync/", StringComparison.Ordinal) ? aliceRun
            : aliceOnlyCourse;

        // Every API endpoint the app maps, so an endpoint added later is covered without touching this test.
        var endpoints = h.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(endpoints);
        var aliceMarkers = new[] { h.Sandbox.BaseUrl.TrimEnd('/') };
        foreach (var endpoint in endpoints)
        {
            var template = endpoint.RoutePattern.RawText!;
            if (template.EndsWith("/connect", StringComparison.Ordinal) || template.EndsWith("/disconnect", StringComparison.Ordinal))
                continue; // bob's own, checked below
            var path = endpoint.RoutePattern.Parameters.Aggregate(template, (p, parameter) => p.Replace(
                System.Text.RegularExpressions.Regex.Match(p, "\\{" + parameter.Name + "[^}]*\\}").Value,
                AliceIdFor(template, parameter.Name).ToString(System.Globalization.CultureInfo.InvariantCulture),
                StringComparison.Ordinal));
            foreach (var method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT" or "PATCH") request.Content = JsonContent.Create(new { });
                using var response = await bob.Http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (endpoint.RoutePattern.Parameters.Count > 0)
                    Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)response.StatusCode} {body}");
                foreach (var marker in aliceMarkers) Assert.DoesNotContain(marker, body, StringComparison.Ordinal);
            }
        }

        if (provider == "postgres") await RowLevelSecurityHoldsWithoutAWhereAsync(h, bob.UserId, aliceConnection);

        // Bob disconnecting with purge removes his data only.
        (await bob.Http.DeleteAsync("/api/v1/canvas/disconnect?purge=true")).EnsureSuccessStatusCode();
        await using (var db = h.Database.Context())
        {
            Assert.True(await db.Connections.AnyAsync(c => c.Id == aliceConnection && c.EncryptedToken != null));
            Assert.True(await db.Courses.AnyAsync(c => c.ConnectionId == aliceConnection));
        }

        var status = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"));
        Assert.Equal("ok", status.GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_token_and_the_api_key_never_appear_in_logs_responses_or_the_database(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        var token = h.Sandbox.Tokens.Student;
        var wrongToken = "7~" + new string('Q', 64);

        // The whole flow: a refused token, a good one, syncs, Canvas revoking the token mid-life, the key revoked.
        Assert.Equal(HttpStatusCode.BadRequest, (await h.ConnectCanvasAsync(alice, token: wrongToken)).StatusCode);
        (await h.ConnectCanvasAsync(alice, token: token)).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId))!.Status);
        using (var control = new HttpClient { BaseAddress = new Uri(h.Sandbox.BaseUrl) })
            (await control.PostAsJsonAsync("/_sandbox/tokens/revoke", new { token })).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.NeedsReauth, (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!.Status);
        var status = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"));
        Assert.Equal("needs_reauth", status.GetProperty("status").GetString());
        await using (var db = h.Database.Context())
            await CanvasSync.Features.Accounts.UserDirectory.RevokeKeysAsync(db, "alice", null, DateTime.UtcNow, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.Http.GetAsync("/api/v1/canvas/status")).StatusCode);

        string[] secrets = [token, wrongToken, alice.ApiKey];
        var places = new List<(string Where, string Text)>();
        places.AddRange(h.Logs.Lines.Select(l => ("log", l)));
        places.AddRange(h.Responses.Select(r => ("response", r)));
        places.AddRange((await h.TextColumnsAsync()).Select(t => ("database", t)));
        Assert.True(places.Count(p => p.Where == "log") > 5 && places.Count(p => p.Where == "database") > 100);
        foreach (var secret in secrets)
        {
            var found = places.FirstOrDefault(p => p.Text.Contains(secret, StringComparison.Ordinal));
            Assert.True(found == default, $"a secret was found in a {found.Where}");
        }
    }

    /// <summary>
    /// Defence in depth on PostgreSQL: a query with no user filter at all, made by the DbContext of a request signed in
    /// as Bob, still sees Bob's rows only; the engine's own contexts (no user) see everyone's.
    /// </summary>
    private static async Task RowLevelSecurityHoldsWithoutAWhereAsync(ServiceHarness h, long bobId, long aliceConnection)
    {
        var accessor = h.App.Services.GetRequiredService<IHttpContextAccessor>();
        accessor.HttpContext = new DefaultHttpContext
        {
            User = CallerClaims.Principal(new AuthenticatedKey(bobId, "bob", false, 0),
            "test")
        };
        try
        {
            await using var scope = h.App.Services.CreateAsyncScope();
            var asBob = scope.ServiceProvider.GetRequiredService<CanvasSyncDbContext>();
            Assert.Equal(bobId, Assert.Single(await asBob.Connections.Select(c => c.UserId).ToListAsync()));
            Assert.DoesNotContain(aliceConnection, await asBob.Courses.Select(c => c.ConnectionId).Distinct().ToListAsync());
            Assert.DoesNotContain(aliceConnection, await asBob.Submissions.Select(c => c.ConnectionId).Distinct().ToListAsync());
            Assert.Empty(await asBob.SyncRuns.Where(r => r.ConnectionId == aliceConnection).ToListAsync());
            await Assert.ThrowsAnyAsync<Exception>(() => asBob.Courses.Where(c => c.ConnectionId == aliceConnection)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.Name, "changed by bob"))
                    .ContinueWith(t => t.Result == 0 ? throw new InvalidOperationException("no rows") : t.Result));
        }
        finally
        {
            accessor.HttpContext = null;
        }

        await using var engine = h.Database.Context();
        Assert.Equal(2, await engine.Connections.CountAsync());
        Assert.False(await engine.Courses.AnyAsync(c => c.Name == "changed by bob"));
    }
}
