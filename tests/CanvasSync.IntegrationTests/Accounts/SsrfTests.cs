using System.Net;
using System.Text.Json;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static CanvasSync.IntegrationTests.Accounts.ConnectTests;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Accounts;

/// <summary>
/// The server-side URL guard with production settings (no private networks): each attempt is refused with a clear
/// error naming canvas_url, and no request reaches the target.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SsrfTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Private_loopback_metadata_and_non_http_urls_are_refused(string provider)
    {
        await using var h = await StartAsync(provider, postgres, ["--Canvas:AllowPrivateNetwork=false"],
            names: new Dictionary<string, string> { ["canvas.evil.test"] = "10.1.2.3", ["rebind.evil.test"] = "::ffff:127.0.0.1" });
        var alice = await h.AddUserAsync("alice");
        var port = new Uri(h.Sandbox.BaseUrl).Port;
        string[] attempts =
        [
            h.Sandbox.BaseUrl,                       // the sandbox itself, on 127.0.0.1
            $"http://localhost:{port}",              // a name that is loopback
            "http://169.254.169.254",                // the cloud metadata service
            "http://10.0.0.7",
            "http://192.168.1.1:8080",
            $"http://[::1]:{port}",                  // IPv6 loopback
            "http://[fd00::1]",                      // IPv6 unique-local
            "http://canvas.evil.test",               // a name that resolves to a private address
            "http://rebind.evil.test",               // ... or to loopback written as IPv4-mapped IPv6
            "http://0.0.0.0",
            "file:///etc/passwd",
            "ftp://canvas.example.edu",
            "gopher://canvas.example.edu",
        ];
        foreach (var url in attempts)
        {
            using var response = await h.ConnectCanvasAsync(alice, canvasUrl: url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {body}");
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.Equal("url_not_allowed", problem.GetProperty("code").GetString());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("errors").GetProperty("canvas_url")[0].GetString()), url);
        }

        using var stats = new HttpClient();
        var requests = JsonDocument.Parse(await stats.GetStringAsync(h.Sandbox.BaseUrl + "/_sandbox/stats"))
            .RootElement.GetProperty("requests").GetInt64();
        Assert.Equal(0, requests);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Http_is_refused_unless_allowed_and_the_host_allowlist_holds(string provider)
    {
        await using var h = await StartAsync(provider, postgres, ["--Canvas:AllowHttp=false", "--Canvas:AllowedHosts:0=*.instructure.com"]);
        var alice = await h.AddUserAsync("alice");
        await AssertProblemAsync(await h.ConnectCanvasAsync(alice), HttpStatusCode.BadRequest, "canvas_url", "url_not_allowed");
        using var other = await h.ConnectCanvasAsync(alice, canvasUrl: "https://canvas.example.edu");
        var body = await other.Content.ReadAsStringAsync();
        Assert.Contains("Canvas:AllowedHosts", body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_redirect_is_never_followed_so_the_token_never_leaves(string provider)
    {
        // Loopback is allowed here so that a "Canvas" on loopback can answer with a redirect to an internal service.
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        var internalHits = 0;
        await using var internalService = await HtmlServerAsync(context =>
        {
            Interlocked.Increment(ref internalHits);
            return context.Response.WriteAsync("secret metadata");
        });
        await using var redirector = await HtmlServerAsync(context =>
        {
            context.Response.Redirect(internalService.Urls.First() + "/latest/meta-data/");
            return Task.CompletedTask;
        });

        await AssertProblemAsync(await h.ConnectCanvasAsync(alice, canvasUrl: redirector.Urls.First()), HttpStatusCode.BadRequest,
            "canvas_url", "redirected");
        Assert.Equal(0, internalHits);
    }
}
