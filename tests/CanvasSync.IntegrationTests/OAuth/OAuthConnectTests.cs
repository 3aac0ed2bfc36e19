using System.Net;
using System.Text.Json;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CanvasSync.IntegrationTests.Infrastructure.OAuthSteps;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.OAuth;

/// <summary>Connect with Canvas (OAuth2) through the API, against the sandbox's OAuth2 endpoints: connect, sync, state checks,
/// disconnect.</summary>
[Collection(PostgresCollection.Name)]
public sealed class OAuthConnectTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_app_connects_with_Canvas_syncs_with_the_grant_and_disconnect_revokes_it(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        await AddSandboxInstanceAsync(h);
        var alice = await h.AddUserAsync("alice");
        var student = await CanvasUserIdAsync(h.Sandbox, h.Sandbox.Tokens.Student);

        var instances = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/oauth/instances"));
        Assert.Equal(h.Sandbox.BaseUrl, instances[0].GetProperty("canvas_url").GetString());
        var authorizeUrl = await StartAsync(alice, h.Sandbox.BaseUrl);
        Assert.Contains("code_challenge_method=S256", authorizeUrl, StringComparison.Ordinal);
        Assert.Contains("response_type=code", authorizeUrl, StringComparison.Ordinal);
        using var connected = await CallbackAsync(alice, await AuthorizeAsync(authorizeUrl, student));
        var body = await JsonOf(connected);
        Assert.Equal(HttpStatusCode.OK, connected.StatusCode);
        Assert.Equal("oauth", body.GetProperty("auth_method").GetString());
        Assert.Equal(student, body.GetProperty("canvas_user_id").GetInt64());
        Assert.InRange(body.GetProperty("token_expires_at").GetDateTime(), DateTime.UtcNow.AddMinutes(55), DateTime.UtcNow.AddMinutes(61));

        await using (var db = h.Database.Context())
        {
            var c = await db.Connections.SingleAsync();
            Assert.NotNull(c.InstanceId);
            Assert.NotNull(c.EncryptedRefreshToken);
        }

        var status = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"));
        Assert.Equal("oauth", status.GetProperty("auth_method").GetString());
        Assert.Empty(status.GetProperty("warnings").EnumerateArray()); // an access token's hour is nothing to warn about

        var sync = await h.SyncStoredAsync(alice.UserId);
        Assert.Equal(SyncStatus.Completed, sync!.Status);
        using var http = new HttpClient();
        await MirrorTruth.AssertEqualsAsync(h.Database, await ConnectionIdAsync(h),
            await MirrorTruth.TruthAsync(http, h.Sandbox, h.Sandbox.Tokens.Student));

        var secrets = await SecretsAsync(h.Sandbox);
        using var disconnected = await alice.Http.DeleteAsync("/api/v1/canvas/disconnect");
        Assert.True((await JsonOf(disconnected)).GetProperty("revoked_at_canvas").GetBoolean());
        var grant = (await GrantsAsync(h.Sandbox)).GetProperty("grants")[0];
        Assert.True(grant.GetProperty("revoked").GetBoolean());
        await using (var db = h.Database.Context())
        {
            var c = await db.Connections.SingleAsync();
            Assert.Null(c.EncryptedToken);
            Assert.Null(c.EncryptedRefreshToken);
        }

        await h.AssertNowhereAsync(secrets);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_forged_foreign_or_replayed_state_is_refused(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        await AddSandboxInstanceAsync(h);
        var alice = await h.AddUserAsync("alice");
        var mallory = await h.AddUserAsync("mallory");
        var student = await CanvasUserIdAsync(h.Sandbox, h.Sandbox.Tokens.Student);

        await AssertRefusedAsync(await CallbackAsync(alice,
            new Dictionary<string, string> { ["state"] = "forged-" + Guid.NewGuid(), ["code"] = "abc" }), "state_invalid");
        await AssertRefusedAsync(await CallbackAsync(alice, new Dictionary<string, string> { ["code"] = "abc" }), "state_missing");

        var redirect = await AuthorizeAsync(await StartAsync(alice, h.Sandbox.BaseUrl), student);
        // Mallory holds Alice's state and code (a leaked redirect): bound to Alice, refused, and Alice's state still good.
        await AssertRefusedAsync(await CallbackAsync(mallory, redirect), "state_invalid");
        // So is a browser without the cookie of a browser that started it (this one was started by an app).
        using (var browser = h.Anonymous())
        {
            using var page = await browser.GetAsync($"/oauth/callback?state={Uri.EscapeDataString(redirect["state"])}&code={redirect["code"]}");
            Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
            Assert.Contains("This sign-in could not be checked.", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        (await CallbackAsync(alice, redirect)).EnsureSuccessStatusCode();
        await AssertRefusedAsync(await CallbackAsync(alice, redirect), "state_used");
        await using var db = h.Database.Context();
        Assert.Equal(alice.UserId, (await db.Connections.SingleAsync()).UserId);

        // Canvas's "Cancel": the state is honoured, and the refusal says access was not allowed.
        var denied = await AuthorizeAsync(await StartAsync(alice, h.Sandbox.BaseUrl), student, allow: false);
        Assert.Equal("access_denied", denied["error"]);
        await AssertRefusedAsync(await CallbackAsync(alice, denied), "access_denied", "code");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_sync_longer_than_the_access_token_refreshes_it_and_completes(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        await AddSandboxInstanceAsync(h);
        var alice = await h.AddUserAsync("alice");
        h.Sandbox.Settings.AccessTokenSeconds = 1;
        await ConnectAsync(h, alice, await CanvasUserIdAsync(h.Sandbox, h.Sandbox.Tokens.Student));
        h.Sandbox.Settings.LatencyMs = 500; // a full sync takes several access tokens' lifetimes

        var sync = await h.SyncStoredAsync(alice.UserId);
        Assert.Equal(SyncStatus.Completed, sync!.Status);
        var refreshes = (await GrantsAsync(h.Sandbox)).GetProperty("grants")[0].GetProperty("refreshes").GetInt32();
        Assert.True(sync.Duration > TimeSpan.FromSeconds(1)
            && refreshes >= 1, $"{refreshes} refreshes in a sync of {sync.Duration.TotalSeconds:0.0} s with 1 s tokens");
        h.Sandbox.Settings.LatencyMs = 0;
        using var http = new HttpClient();
        await MirrorTruth.AssertEqualsAsync(h.Database, await ConnectionIdAsync(h),
            await MirrorTruth.TruthAsync(http, h.Sandbox, h.Sandbox.Tokens.Student));

        // Canvas calls the token expired before CanvasSync expects it: one refresh, the request again, and on.
        h.Sandbox.Settings.AccessTokenSeconds = 3600;
        await ControlAsync(h.Sandbox, "expire", null);
        var before = (await GrantsAsync(h.Sandbox)).GetProperty("refresh_requests").GetInt32();
        Assert.Equal(SyncStatus.Completed,
            (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!.Status); // the 1 s token is replaced by an hour's first
        await ControlAsync(h.Sandbox, "expire", null);
        var delta = await h.SyncStoredAsync(alice.UserId, SyncType.Delta);
        Assert.Equal(SyncStatus.Completed, delta!.Status);
        Assert.Equal(before + 2, (await GrantsAsync(h.Sandbox)).GetProperty("refresh_requests").GetInt32());
        await h.AssertNowhereAsync(await SecretsAsync(h.Sandbox));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_revoked_grant_gives_needs_reauth_and_reconnecting_mends_it(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        await AddSandboxInstanceAsync(h);
        var alice = await h.AddUserAsync("alice");
        var student = await CanvasUserIdAsync(h.Sandbox, h.Sandbox.Tokens.Student);
        await ConnectAsync(h, alice, student);
        // The access token is past its life as CanvasSync keeps it (no waiting for a real one to age): the next sync
        // starts with a refresh.
        var issued = DateTime.UtcNow.AddHours(-2);
        await using (var db = h.Database.Context())
            await db.Connections.ExecuteUpdateAsync(c =>
                c.SetProperty(x => x.TokenStoredAt, issued).SetProperty(x => x.TokenExpiresAt, issued.AddHours(1)));
        await ControlAsync(h.Sandbox, "revoke", student);

        var sync = await h.SyncStoredAsync(alice.UserId);
        Assert.Equal(SyncStatus.NeedsReauth, sync!.Status);
        var status = await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"));
        Assert.Equal("needs_reauth", status.GetProperty("status").GetString());
        var warning = status.GetProperty("warnings")[0];
        Assert.Equal("needs_reauth", warning.GetProperty("code").GetString());
        Assert.Contains("/api/v1/canvas/oauth/start", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(h.Logs.Lines, l =>
            l.Contains("Canvas refused to refresh the access token (invalid_request: refresh_token not found)", StringComparison.Ordinal));
        await using (var db = h.Database.Context())
            Assert.Equal(ConnectionStatus.NeedsReauth, (await db.Connections.SingleAsync()).Status);

        // A revoked grant whose access token has not expired: Canvas answers "Invalid access token", no refresh is tried.
        await ConnectAsync(h, alice, student);
        var refreshes = (await GrantsAsync(h.Sandbox)).GetProperty("refresh_requests").GetInt32();
        await ControlAsync(h.Sandbox, "revoke", student);
        Assert.Equal(SyncStatus.NeedsReauth, (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!.Status);
        Assert.Equal(refreshes, (await GrantsAsync(h.Sandbox)).GetProperty("refresh_requests").GetInt32());

        await ConnectAsync(h, alice, student);
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!.Status);
        Assert.Equal("ok", (await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/status"))).GetProperty("status").GetString());
        await h.AssertNowhereAsync(await SecretsAsync(h.Sandbox));
    }

    private static async Task<long> ConnectionIdAsync(ServiceHarness h)
    {
        await using var db = h.Database.Context();
        return (await db.Connections.SingleAsync()).Id;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string code, string field = "state")
    {
        using (response)
        {
            var body = await JsonOf(response);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(code, body.GetProperty("code").GetString());
            Assert.True(body.GetProperty("errors").TryGetProperty(field, out JsonElement _), body.ToString());
        }
    }
}
