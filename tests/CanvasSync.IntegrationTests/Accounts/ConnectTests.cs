using System.Net;
using System.Net.Http.Json;
using CanvasSync.Features.Connections;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Accounts;

/// <summary>Connecting Canvas through the API: the token proved by Canvas, then stored encrypted; every failure names its field.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ConnectTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Connect_validates_the_token_stores_it_encrypted_and_reports_status(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");

        using var response = await h.ConnectCanvasAsync(alice);
        var body = await JsonOf(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(alice.UserId, body.GetProperty("user_id").GetInt64());
        Assert.Equal(h.Sandbox.BaseUrl.TrimEnd('/'), body.GetProperty("canvas_url").GetString());
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("stored_at").GetDateTime() > DateTime.UtcNow.AddMinutes(-5));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("canvas_user_name").GetString()));

        await using (var db = h.Database.Context())
        {
            var c = await db.Connections.SingleAsync(x => x.UserId == alice.UserId);
            Assert.NotNull(c.EncryptedToken);
            Assert.DoesNotContain(h.Sandbox.Tokens.Student, c.EncryptedToken, StringComparison.Ordinal);
            Assert.NotEqual(Guid.Empty, TokenVault.KeyIdOf(c.EncryptedToken!));
            Assert.Equal(h.Sandbox.Tokens.Student,
                await h.App.Services.GetRequiredService<ConnectionTokens>().GetAsync(c.Id, CancellationToken.None));
        }

        var status = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"));
        Assert.True(status.GetProperty("connected").GetBoolean());
        Assert.Equal("ok", status.GetProperty("status").GetString());
        Assert.Empty(status.GetProperty("warnings").EnumerateArray());
    }

    public static TheoryData<string, string, string> BadTokens => new()
    {
        { "sqlite", "expired", "token_expired" },
        { "sqlite", "revoked", "token_revoked" },
        { "sqlite", "unknown", "token_invalid" },
        { "postgres", "expired", "token_expired" },
        { "postgres", "unknown", "token_invalid" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_dead_token_is_refused_naming_api_token(string provider, string which, string code)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        var token = which switch
        {
            "expired" => h.Sandbox.Tokens.Expired,
            "revoked" => h.Sandbox.Tokens.Revoked,
            _ => "7~" + new string('x', 64)
        };

        using var response = await h.ConnectCanvasAsync(alice, token: token);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "api_token", code);
        await using var db = h.Database.Context();
        Assert.False(await db.Connections.AnyAsync());
    }

    /// <summary>
    /// A token whose rate budget is spent (another sync of it a moment ago) is told as such, not as "not Canvas": who-am-I
    /// is asked again as the budget refills, and refused as throttled only when it never does.
    /// </summary>
    [Fact]
    public async Task A_throttled_token_is_waited_for_and_then_refused_as_throttled_not_as_not_canvas()
    {
        await using var h = await StartAsync("sqlite", postgres);
        var alice = await h.AddUserAsync("alice");
        var throttle = h.Sandbox.Settings.Throttle;
        h.Sandbox.Settings.Throttle = throttle with { HighWaterMark = 0 }; // every request's up-front cost passes it

        await AssertProblemAsync(await h.ConnectCanvasAsync(alice), HttpStatusCode.ServiceUnavailable, "api_token", "throttled");

        h.Sandbox.Settings.Throttle = throttle;
        using var connected = await h.ConnectCanvasAsync(alice);
        Assert.Equal(HttpStatusCode.OK, connected.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Not_a_url_not_reachable_and_not_canvas_are_told_apart(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        await using var notCanvas = await HtmlServerAsync();

        await AssertProblemAsync(await h.ConnectCanvasAsync(alice, canvasUrl: "not a url"), HttpStatusCode.BadRequest, "canvas_url",
            "not_a_url");
        await AssertProblemAsync(await h.ConnectCanvasAsync(alice, canvasUrl: "canvas"), HttpStatusCode.BadRequest, "canvas_url",
            "not_a_url");
        await AssertProblemAsync(await h.ConnectCanvasAsync(alice, canvasUrl: "https://no-such-host.invalid"), HttpStatusCode.BadRequest,
            "canvas_url", "unknown_host");
        await AssertProblemAsync(await h.ConnectCanvasAsync(alice, canvasUrl: "http://127.0.0.1:1"), HttpStatusCode.BadRequest,
            "canvas_url", "unreachable");
        await AssertProblemAsync(await h.ConnectCanvasAsync(alice, canvasUrl: notCanvas.Urls.First()), HttpStatusCode.BadRequest,
            "canvas_url", "not_canvas");
        await AssertProblemAsync(await h.ConnectCanvasAsync(alice, token: ""), HttpStatusCode.BadRequest, "api_token", "required");
        using var noBody = await alice.Http.PostAsync("/api/v1/canvas/connect", JsonContent.Create(new { }));
        await AssertProblemAsync(noBody, HttpStatusCode.BadRequest, "api_token", "required");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Connecting_again_replaces_the_token_and_clears_needs_reauth_and_disconnect_keeps_or_purges(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        string firstCiphertext;
        await using (var db = h.Database.Context())
        {
            var c = await db.Connections.SingleAsync();
            firstCiphertext = c.EncryptedToken!;
            c.Status = ConnectionStatus.NeedsReauth;
            c.LastErrorCode = "token_revoked";
            await db.SaveChangesAsync();
        }

        Assert.Equal("needs_reauth", (await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"))).GetProperty("status").GetString());
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        await using (var db = h.Database.Context())
        {
            var c = await db.Connections.SingleAsync();
            Assert.Equal(ConnectionStatus.Ok, c.Status);
            Assert.Null(c.LastErrorCode);
            Assert.NotEqual(firstCiphertext, c.EncryptedToken);
        }

        // Another Canvas while connected: a conflict naming canvas_url.
        await using (var otherCanvas = await CanvasSync.Sandbox.SandboxServer.StartAsync(new CanvasSync.Sandbox.SandboxOptions()))
            await AssertProblemAsync(await h.ConnectCanvasAsync(alice, canvasUrl: otherCanvas.BaseUrl), HttpStatusCode.Conflict,
                "canvas_url", "already_connected");

        var kept = await JsonOf(await alice.Http.DeleteAsync("/api/v1/canvas/disconnect"));
        Assert.False(kept.GetProperty("purged").GetBoolean());
        await using (var db = h.Database.Context())
        {
            var c = await db.Connections.SingleAsync();
            Assert.Null(c.EncryptedToken);
            Assert.Equal(ConnectionStatus.Disconnected, c.Status);
        }

        Assert.True((await JsonOf(await alice.Http.DeleteAsync("/api/v1/canvas/disconnect?purge=true"))).GetProperty("purged")
            .GetBoolean());
        await using (var db = h.Database.Context()) Assert.False(await db.Connections.AnyAsync());
        using var none = await alice.Http.DeleteAsync("/api/v1/canvas/disconnect");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_token_expiring_within_14_days_shows_a_warning(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        var expires = DateTime.UtcNow.AddDays(5);
        using (var control = new HttpClient { BaseAddress = new Uri(h.Sandbox.BaseUrl) })
            (await control.PostAsJsonAsync("/_sandbox/tokens/expires_at",
                new { token = h.Sandbox.Tokens.Student, expires_at = expires })).EnsureSuccessStatusCode();

        var connected = await JsonOf(await h.ConnectCanvasAsync(alice));
        Assert.Equal(expires, connected.GetProperty("token_expires_at").GetDateTime(), TimeSpan.FromSeconds(1));
        var status = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"));
        var warning = Assert.Single(status.GetProperty("warnings").EnumerateArray());
        Assert.Equal("token_expires_soon", warning.GetProperty("code").GetString());
        Assert.Contains("the Canvas token expires", await alice.Http.GetStringAsync("/"), StringComparison.Ordinal); // and on the page
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = System.Text.Json.JsonDocument.Parse(text).RootElement;
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out var messages), text);
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        Assert.Equal(code, body.GetProperty("code").GetString());
        response.Dispose();
    }

    /// <summary>A web server on loopback that is not Canvas: every path is a 200 HTML page.</summary>
    internal static async Task<WebApplication> HtmlServerAsync(RequestDelegate? handler = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler ?? (static context => context.Response.WriteAsync("<html><body>Welcome to our intranet</body></html>")));
        await app.StartAsync();
        return app;
    }
}
