using System.Net;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.Tests.Infrastructure;

namespace CanvasSync.Sandbox.Tests;

/// <summary>Injected faults: Canvas's JSON 500, proxy HTML pages, cut connections, slow answers; deterministic by seed.</summary>
public sealed class FaultTests
{
    private static async Task<SandboxServer> WithFaultAsync(FaultKind kind)
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions { FaultRate = 1.0 });
        sandbox.Settings.FaultKinds = [kind];
        sandbox.Settings.SlowMs = 300;
        return sandbox;
    }

    [Fact]
    public async Task Internal_error_is_canvas_json_with_an_error_report_id()
    {
        await using var sandbox = await WithFaultAsync(FaultKind.Internal500);
        using var http = new HttpClient();
        using var r = await http.GetAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student);
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.Matches("""^\{"errors":\[\{"message":"An error occurred.","error_code":"internal_server_error"\}\],"error_report_id":\d+\}$""", await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(FaultKind.BadGateway502, 502)]
    [InlineData(FaultKind.Unavailable503, 503)]
    [InlineData(FaultKind.GatewayTimeout504, 504)]
    public async Task Proxy_failures_are_html_not_json(FaultKind kind, int status)
    {
        await using var sandbox = await WithFaultAsync(kind);
        using var http = new HttpClient();
        using var r = await http.GetAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student);
        Assert.Equal(status, (int)r.StatusCode);
        Assert.Equal("text/html", r.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("<html>", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_cut_mid_body_fails_the_read()
    {
        await using var sandbox = await WithFaultAsync(FaultKind.CutMidBody);
        using var http = new HttpClient();
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var r = await http.GetAsync($"{sandbox.BaseUrl}/api/v1/courses?per_page=100", sandbox.Tokens.Teacher);
            await r.Content.ReadAsByteArrayAsync();
        });
    }

    [Fact]
    public async Task A_slow_answer_still_arrives_and_is_counted()
    {
        await using var sandbox = await WithFaultAsync(FaultKind.Slow);
        using var http = new HttpClient();
        using var r = await http.GetAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var stats = await http.GetJsonAsync($"{sandbox.BaseUrl}/_sandbox/stats", null);
        Assert.Equal(1, stats.GetProperty("faults").GetProperty("Slow").GetInt64());
    }

    [Fact]
    public async Task The_same_seed_fails_the_same_requests()
    {
        async Task<List<int>> StatusesAsync()
        {
            await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = 3, FaultRate = 0.3 });
            sandbox.Settings.FaultKinds = [FaultKind.Internal500, FaultKind.BadGateway502, FaultKind.Unavailable503];
            using var http = new HttpClient();
            var statuses = new List<int>();
            for (var i = 0; i < 40; i++)
            {
                using var r = await http.GetAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student);
                statuses.Add((int)r.StatusCode);
            }

            return statuses;
        }

        var first = await StatusesAsync();
        Assert.Equal(first, await StatusesAsync());
        Assert.Contains(first, s => s >= 500);
        Assert.Contains(200, first);
    }
}
