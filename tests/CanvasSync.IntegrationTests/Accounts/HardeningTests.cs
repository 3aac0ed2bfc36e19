using System.Net;
using System.Net.Http.Json;
using CanvasSync.IntegrationTests.Infrastructure;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Accounts;

/// <summary>Rate limits per user, size limits, correlation ids and security headers.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HardeningTests(PostgresServer postgres)
{
    [Fact]
    public async Task Each_user_has_their_own_rate_limit_answered_with_429_and_retry_after()
    {
        await using var h = await StartAsync("sqlite", postgres, ["--Security:RequestsPerSecond=1", "--Security:RequestBurst=3"]);
        var alice = await h.AddUserAsync("alice");
        var bob = await h.AddUserAsync("bob");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++) statuses.Add((await alice.Http.GetAsync("/api/v1/canvas/status")).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        using var limited = await alice.Http.GetAsync("/api/v1/canvas/status");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        // Bob is not slowed by Alice.
        Assert.Equal(HttpStatusCode.OK, (await bob.Http.GetAsync("/api/v1/canvas/status")).StatusCode);
    }

    [Fact]
    public async Task Bodies_over_the_limit_and_broken_json_get_problem_details()
    {
        await using var h = await StartAsync("sqlite", postgres, ["--Security:MaxRequestBodyBytes=4096"]);
        var alice = await h.AddUserAsync("alice");
        using var big = await alice.Http.PostAsJsonAsync("/api/v1/canvas/connect",
            new { canvas_url = h.Sandbox.BaseUrl, api_token = new string('x', 10_000) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        using var broken = await alice.Http.PostAsync("/api/v1/canvas/connect",
            new StringContent("{\"canvas_url\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Every_response_has_a_correlation_id_that_its_log_lines_carry_and_pages_have_security_headers()
    {
        await using var h = await StartAsync("sqlite", postgres);
        var alice = await h.AddUserAsync("alice");

        using var given = new HttpRequestMessage(HttpMethod.Post, "/api/v1/canvas/connect")
        {
            Content = JsonContent.Create(new { canvas_url = h.Sandbox.BaseUrl, api_token = h.Sandbox.Tokens.Student }),
        };
        given.Headers.Add("X-Correlation-Id", "test-req-42");
        using var connected = await alice.Http.SendAsync(given);
        Assert.Equal("test-req-42", connected.Headers.GetValues("X-Correlation-Id").Single());
        Assert.Contains(h.Logs.Lines, l => l.Contains("connected Canvas", StringComparison.Ordinal)
            && l.Contains("CorrelationId=test-req-42", StringComparison.Ordinal));

        using var generated = await alice.Http.GetAsync("/api/v1/canvas/status");
        Assert.Matches("^[A-Za-z0-9._-]{16,64}$", generated.Headers.GetValues("X-Correlation-Id").Single());
        using var hostile = new HttpRequestMessage(HttpMethod.Get, "/api/v1/canvas/status");
        hostile.Headers.TryAddWithoutValidation("X-Correlation-Id", "<script>alert(1)</script>");
        using var replaced = await alice.Http.SendAsync(hostile);
        Assert.DoesNotContain("<", replaced.Headers.GetValues("X-Correlation-Id").Single(), StringComparison.Ordinal);

        using var login = await h.Anonymous().GetAsync("/login");
        Assert.Equal("nosniff", login.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", login.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", login.Headers.GetValues("X-Frame-Options").Single());
    }
}
