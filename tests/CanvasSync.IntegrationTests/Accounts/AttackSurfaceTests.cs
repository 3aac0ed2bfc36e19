using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Security;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Accounts;

/// <summary>
/// What an attacker or a careless operator tries against a running service: a foreign OAuth2 redirect URI, a
/// cross-site form against the API, formulas in CSV cells, hostile input that used to cost a 500, and files others
/// could read.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class AttackSurfaceTests(PostgresServer postgres)
{
    [Fact]
    public async Task Oauth_start_takes_only_the_instances_registered_redirect_uri_compared_exactly()
    {
        await using var h = await StartAsync("sqlite", postgres);
        await OAuthSteps.AddSandboxInstanceAsync(h);
        var mallory = await h.AddUserAsync("mallory");
        var registered = (await JsonOf(await mallory.Http.GetAsync("/api/v1/canvas/oauth/instances"))).EnumerateArray().Single()
            .GetProperty("redirect_uri").GetString()!;
        foreach (var foreign in new[] { "https://attacker.example/cb", registered + "/../../attacker",
            registered + "?next=https://attacker.example", registered.ToUpperInvariant() })
        {
            using var refused = await mallory.Http.PostAsJsonAsync("/api/v1/canvas/oauth/start",
                new { canvas_url = h.Sandbox.BaseUrl, redirect_uri = foreign });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await JsonOf(refused);
            Assert.Equal("redirect_uri_not_registered", problem.GetProperty("code").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty("redirect_uri", out _));
        }

        using var exact = await mallory.Http.PostAsJsonAsync("/api/v1/canvas/oauth/start",
            new { canvas_url = h.Sandbox.BaseUrl, redirect_uri = registered });
        Assert.Equal(HttpStatusCode.OK, exact.StatusCode);
        Assert.Contains("redirect_uri=" + Uri.EscapeDataString(registered), (await JsonOf(exact)).GetProperty("authorize_url").GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboards_cookie_changes_nothing_through_the_api_and_sign_out_needs_its_form_token()
    {
        await using var h = await StartAsync("sqlite", postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        var run = (await JsonOf(await alice.Http.PostAsJsonAsync("/api/v1/canvas/sync", new { sync_type = "full" }))).GetProperty("sync_id")
            .GetInt64();

        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var browser = new HttpClient(handler) { BaseAddress = h.BaseUrl };
        var form = await browser.GetStringAsync("/login");
        using var signedIn = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["api_key"] = alice.ApiKey,
            ["__csrf"] = CsrfToken(form),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        // Reads with the cookie work (the dashboard follows a run's progress this way)...
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/api/v1/canvas/sync/{run}")).StatusCode);
        // ...but a form another site posts with the same cookie changes nothing.
        foreach (var path in new[] { $"/api/v1/canvas/sync/{run}/retry", $"/api/v1/canvas/sync/{run}/cancel", "/api/v1/canvas/sync" })
        {
            using var forged = await browser.PostAsync(path,
                new FormUrlEncodedContent(new Dictionary<string, string> { ["sync_type"] = "full" }));
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        }

        using var noBody = await browser.PostAsync("/logout", null);
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/api/v1/canvas/sync/{run}")).StatusCode); // still signed in
        var page = await browser.GetStringAsync("/history");
        using var signedOut = await browser.PostAsync("/logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = CsrfToken(page) }));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync($"/api/v1/canvas/sync/{run}")).StatusCode);
        // The key alice typed in is hers to keep: signing out ends the session only.
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.GetAsync($"/api/v1/canvas/sync/{run}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Csv_cells_that_a_spreadsheet_would_run_as_formulas_are_made_text(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId))!.Status);
        var tasks = (await JsonOf(await alice.Http.GetAsync("/api/v1/tasks?limit=50&include_completed=true"))).GetProperty("items")
            .EnumerateArray()
            .Where(t => t.GetProperty("source").GetString() == "assignment").Take(4).ToList();
        string[] titles = ["=HYPERLINK(A1)", "+1+1", "-2+3", "@SUM(A1)"];
        using (var canvas = new HttpClient { BaseAddress = new Uri(h.Sandbox.BaseUrl) })
            foreach (var (task, title) in tasks.Zip(titles))
                (await canvas.PostAsJsonAsync($"/_sandbox/assignments/{task.GetProperty("canvas_assignment_id").GetInt64()}",
                    new { name = title })).EnsureSuccessStatusCode();
        var note = tasks[0].GetProperty("id").GetInt64();
        (await alice.Http.PatchAsJsonAsync($"/api/v1/tasks/{note}", new { notes = "=cmd|' /C calc'!A0" })).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!.Status);

        var csv = await alice.Http.GetStringAsync("/api/v1/export/tasks.csv");
        foreach (var title in titles) Assert.Contains("'" + title, csv, StringComparison.Ordinal);
        Assert.Contains("'=cmd|' /C calc'!A0", csv, StringComparison.Ordinal);
        Assert.DoesNotMatch("(?m)(^|,)\"?[=+@-]", csv);
    }

    [Fact]
    public async Task Hostile_input_that_cost_a_500_is_a_problem_naming_its_field()
    {
        await using var h = await StartAsync("sqlite", postgres);
        var alice = await h.AddUserAsync("alice");
        var longHost = "https://" + string.Join('.', Enumerable.Repeat(new string('a', 60), 5)) + ".example.edu";
        foreach (var path in new[] { "/api/v1/canvas/connect", "/api/v1/canvas/test-connection" })
        {
            using var tooLong = await alice.Http.PostAsJsonAsync(path, new { canvas_url = longHost, api_token = "7~token" });
            Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
            Assert.True((await JsonOf(tooLong)).GetProperty("errors").TryGetProperty("canvas_url", out _));
        }

        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId))!.Status);
        var task = (await JsonOf(await alice.Http.GetAsync("/api/v1/tasks?limit=1"))).GetProperty("items")[0].GetProperty("id").GetInt64();
        using var surrogate = await alice.Http.PatchAsync($"/api/v1/tasks/{task}",
            new StringContent("{\"notes\": \"half a pair: \\ud800\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, surrogate.StatusCode);
        Assert.True((await JsonOf(surrogate)).GetProperty("errors").TryGetProperty("notes", out _));

        var courses = Enumerable.Range(1, SyncScope.MaxCourseIds + 1).Select(i => (long)i).ToArray();
        using var many = await alice.Http.PostAsJsonAsync("/api/v1/canvas/sync",
            new { sync_type = "full", scope = new { course_ids = courses } });
        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);
        Assert.True((await JsonOf(many)).GetProperty("errors").TryGetProperty("scope.course_ids", out _));
    }

    [Fact]
    public async Task Test_connection_says_what_kind_of_failure_never_what_the_target_answered()
    {
        await using var h = await StartAsync("sqlite", postgres);
        var alice = await h.AddUserAsync("alice");
        await using var target = await HostileCanvas.StartAsync();
        target.RefuseSelf = true; // 403 with a body an internal service might hold
        using var answer = await alice.Http.PostAsJsonAsync("/api/v1/canvas/test-connection",
            new { canvas_url = target.BaseUrl, api_token = "7~x" });
        var problem = await JsonOf(answer);
        Assert.Equal("not_canvas", problem.GetProperty("code").GetString());
        // Every field but the trace id, which is random hex and may hold "403" by chance.
        var text = string.Join('\n', problem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => p.Value.ToString()));
        Assert.DoesNotContain("403", text, StringComparison.Ordinal);
        Assert.DoesNotContain(HostileCanvas.InternalSecret, text, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_new_sqlite_database_is_private_and_a_master_key_others_can_read_is_warned_about()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite", postgres);
        var file = database.Target.SqlitePath!;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.False(PrivateFiles.OthersMayRead(file + "-wal"));

        var keyFile = Path.Combine(Path.GetTempPath(), $"canvassync-master-{Guid.NewGuid():N}.key");
        MasterKey.Create(keyFile);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var sandbox = await Sandbox.SandboxServer.StartAsync(new());
        await using (var h = await StartAsync("sqlite", postgres, database: database, masterKeyFile: keyFile, sandbox: sandbox))
            Assert.Contains(h.Logs.Lines, l =>
                l.Contains("Other users of this machine may read the master key file", StringComparison.Ordinal));
        File.Delete(keyFile);
    }

    [Fact]
    public async Task Invalid_keys_and_sign_ins_are_limited_per_client_address_as_a_trusted_proxy_reports_it()
    {
        await using var h = await StartAsync("sqlite", postgres,
            ["--Security:AnonymousRequestsPerMinute=20", "--Security:TrustedProxies:0=127.0.0.1"]);
        var alice = await h.AddUserAsync("alice");
        async Task<HttpStatusCode> GuessAsync(string client)
        {
            using var guess = new HttpRequestMessage(HttpMethod.Get, "/api/v1/canvas/status");
            guess.Headers.Authorization = new("Bearer", "csk_guess");
            guess.Headers.Add("X-Forwarded-For", client);
            return (await h.Anonymous().SendAsync(guess)).StatusCode;
        }

        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++) guesses.Add(await GuessAsync("203.0.113.7"));
        Assert.Equal(HttpStatusCode.Unauthorized, guesses[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, guesses);
        // Another client behind the same proxy has its own bucket, and a valid key is never slowed by the guesser.
        Assert.Equal(HttpStatusCode.Unauthorized, await GuessAsync("203.0.113.8"));
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.GetAsync("/api/v1/canvas/status")).StatusCode);

        // Sign-in attempts count the same way.
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var browser = new HttpClient(handler) { BaseAddress = h.BaseUrl };
        var attempts = new List<HttpStatusCode>();
        var form = await browser.GetStringAsync("/login");
        for (var i = 0; i < 30; i++)
        {
            using var attempt = await browser.PostAsync("/login",
                new FormUrlEncodedContent(new Dictionary<string, string> { ["api_key"] = "csk_guess" + i, ["__csrf"] = CsrfToken(form) }));
            attempts.Add(attempt.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, attempts);
    }

    [Fact]
    public async Task Behind_a_trusted_tls_proxy_cookies_are_secure_and_hsts_is_sent_and_an_untrusted_proxy_is_not_believed()
    {
        await using var trusting = await StartAsync("sqlite", postgres, ["--Security:TrustedProxies:0=127.0.0.0/8"]);
        var alice = await trusting.AddUserAsync("alice");
        // Cookies by hand: a cookie container would not send a Secure cookie over the test's plain http to the proxy's side.
        var viaProxy = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = trusting.BaseUrl,
        };
        viaProxy.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        viaProxy.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.20");
        viaProxy.DefaultRequestHeaders.Host = "canvassync.example.edu";
        using var page = await viaProxy.GetAsync("/login");
        Assert.StartsWith("max-age=", page.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        Assert.Contains(page.Headers.GetValues("Set-Cookie"), c => c.StartsWith("canvassync_antiforgery=", StringComparison.Ordinal)
            && c.Contains("secure", StringComparison.OrdinalIgnoreCase));
        using var signIn = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["api_key"] = alice.ApiKey,
                ["__csrf"] = CsrfToken(await page.Content.ReadAsStringAsync())
            }),
        };
        signIn.Headers.Add("Cookie", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        using var signedIn = await viaProxy.SendAsync(signIn);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("canvassync_session=", StringComparison.Ordinal)
            && c.Contains("secure", StringComparison.OrdinalIgnoreCase));

        // Without Security:TrustedProxies the same headers are anyone's words: plain http, no HSTS, no Secure cookie.
        await using var plain = await StartAsync("sqlite", postgres);
        var spoofing = new HttpClient { BaseAddress = plain.BaseUrl };
        spoofing.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        spoofing.DefaultRequestHeaders.Host = "canvassync.example.edu";
        using var spoofed = await spoofing.GetAsync("/login");
        Assert.False(spoofed.Headers.Contains("Strict-Transport-Security"));
        Assert.DoesNotContain(spoofed.Headers.GetValues("Set-Cookie"), c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    private static string CsrfToken(string html) => CsrfField().Match(html) is { Success: true } m
        ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : throw new InvalidOperationException("no antiforgery field on the page");

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
