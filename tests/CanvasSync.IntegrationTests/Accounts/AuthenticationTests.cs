using System.Net;
using System.Text.RegularExpressions;
using CanvasSync.Features.Accounts;
using CanvasSync.IntegrationTests.Infrastructure;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Accounts;

/// <summary>API keys on the API, a cookie session on the pages, and nothing but health and login without one.</summary>
[Collection(PostgresCollection.Name)]
public sealed partial class AuthenticationTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Without_a_valid_key_only_health_and_login_answer(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var anonymous = h.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/login")).StatusCode);

        foreach (var client in new[] { anonymous, h.Client("csk_" + new string('A', 43)), h.Client("not-a-key") })
        {
            using var api = await client.GetAsync("/api/v1/canvas/status");
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
            Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Bearer", api.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            using var unknown = await client.GetAsync("/api/v1/nothing-here");
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode); // no hint of which paths exist
        }

        // A page without a session sends the browser to the login form.
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = h.BaseUrl };
        using var home = await noRedirects.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/login", home.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_revoked_key_is_refused_at_once(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.GetAsync("/api/v1/canvas/status")).StatusCode);
        using var unknownPath = await alice.Http.GetAsync("/api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, unknownPath.StatusCode);

        await using (var db = h.Database.Context())
            Assert.Equal(1, await UserDirectory.RevokeKeysAsync(db, "alice", null, DateTime.UtcNow, CancellationToken.None));
        using var after = await alice.Http.GetAsync("/api/v1/canvas/status");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("revoked", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_pages_sign_in_with_a_key_into_a_cookie_session_guarded_by_antiforgery(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = h.BaseUrl };

        // Without the form's antiforgery token the post is refused, whatever the key.
        using var forged = await browser.PostAsync("/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["api_key"] = alice.ApiKey }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var wrong = await SignInAsync(browser, "csk_" + new string('B', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        var signedIn = await SignInAsync(browser, alice.ApiKey);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("canvassync_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var home = await browser.GetStringAsync("/");
        Assert.Contains("Signed in as alice", home, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/canvas/status")).StatusCode);

        // The session ends with its key.
        await using (var db = h.Database.Context())
            await UserDirectory.RevokeKeysAsync(db, "alice", null, DateTime.UtcNow, CancellationToken.None);
        using var afterRevoke = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, afterRevoke.StatusCode);
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string key)
    {
        var form = await browser.GetStringAsync("/login");
        var token = CsrfField().Match(form).Groups["value"].Value;
        return await browser.PostAsync("/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = token, ["api_key"] = key }));
    }

    [GeneratedRegex("name=\"__csrf\"[^>]*value=\"(?<value>[^\"]+)\"")]
    private static partial Regex CsrfField();
}
