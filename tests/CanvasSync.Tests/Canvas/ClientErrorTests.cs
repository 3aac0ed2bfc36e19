using CanvasSync.Canvas;
using CanvasSync.Canvas.Wire;
using CanvasSync.Features.Planner;
using CanvasSync.Features.Submissions;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.Tests.Infrastructure;
using CanvasSync.Tests.Infrastructure;

namespace CanvasSync.Tests.Canvas;

/// <summary>How the client classifies and survives what Canvas does wrong (docs/canvas.md §2, §4).</summary>
public sealed class ClientErrorTests : IAsyncLifetime
{
    private SandboxServer _sandbox = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = 11 });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    private async Task<long> CourseAsync() =>
        (await _http.GetJsonAsync($"{_sandbox.BaseUrl}/api/v1/courses?per_page=100", _sandbox.Tokens.Teacher)).EnumerateArray()
            .First(c => c.TryGetProperty("name", out _)).GetProperty("id").GetInt64();

    private static async Task DrainAsync<T>(IAsyncEnumerable<CanvasPage<T>> pages)
    {
        await foreach (var _ in pages) { }
    }

    [Theory]
    [InlineData("revoked", nameof(DeadTokenReason.Revoked))]
    [InlineData("expired", nameof(DeadTokenReason.Expired))]
    [InlineData("unknown", nameof(DeadTokenReason.Invalid))]
    public async Task A_dead_token_is_told_apart_by_canvas_message_and_stops_the_session(string which, string expected)
    {
        await using var clients = new CanvasClients();
        var reason = Enum.Parse<DeadTokenReason>(expected); // by name: the reason type is internal to the product
        var token = which switch
        {
            "revoked" => _sandbox.Tokens.Revoked,
            "expired" => _sandbox.Tokens.Expired,
            _ => "7~" + new string('x', 64)
        };
        var session = clients.Open(_sandbox, token);
        var e = await Assert.ThrowsAsync<CanvasTokenException>(() => session.GetSelfAsync());
        Assert.Equal(reason, e.Reason);
        if (reason == DeadTokenReason.Expired) Assert.NotNull(e.ExpiredAt);
        Assert.Same(e, session.DeadToken);
        // No second request with a dead token.
        await Assert.ThrowsAsync<CanvasTokenException>(() => session.GetSelfAsync());
        Assert.Equal(1, session.Accounting.Requests);
        Assert.DoesNotContain(clients.Logs.Lines, l => l.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_revoked_mid_collection_stops_at_the_next_page()
    {
        await using var clients = new CanvasClients();
        var session = clients.Open(_sandbox, _sandbox.Tokens.Teacher);
        var course = await CourseAsync();
        var pages = 0;
        var e = await Assert.ThrowsAsync<CanvasTokenException>(async () =>
        {
            await foreach (var _ in session.SubmissionsAsync(course, new SubmissionQuery(true)))
            {
                if (++pages == 2) await _http.PostJsonAsync($"{_sandbox.BaseUrl}/_sandbox/tokens/revoke",
                    new { token = _sandbox.Tokens.Teacher });
            }
        });
        Assert.Equal(DeadTokenReason.Revoked, e.Reason);
        Assert.Equal(2, pages);
        Assert.Equal(3, session.Accounting.Requests);
        await _http.PostJsonAsync($"{_sandbox.BaseUrl}/_sandbox/tokens/restore", new { token = _sandbox.Tokens.Teacher });
    }

    [Fact]
    public async Task A_permission_gap_is_not_a_dead_token()
    {
        await using var clients = new CanvasClients();
        var session = clients.Open(_sandbox, _sandbox.Tokens.Student);
        var course = await CourseAsync();
        await Assert.ThrowsAsync<CanvasPermissionException>(() => DrainAsync(session.GroupCategoriesAsync(course)));
        Assert.Null(session.DeadToken);
        Assert.True((await session.GetSelfAsync()).Value.Id > 0); // the session goes on
    }

    [Fact]
    public async Task Not_found_bad_request_and_a_non_throttle_403_are_typed_and_not_retried()
    {
        await using var clients = new CanvasClients();
        var session = clients.Open(_sandbox, _sandbox.Tokens.Teacher);
        var course = await CourseAsync();
        await Assert.ThrowsAsync<CanvasNotFoundException>(() => DrainAsync(session.AssignmentsAsync(987654321, false)));
        await Assert.ThrowsAsync<CanvasForbiddenException>(() =>
            DrainAsync(session.SubmissionsAsync(course, new SubmissionQuery(true, [1]))));
        var bad = await Assert.ThrowsAsync<CanvasBadRequestException>(() => DrainAsync(
            session.PagesAsync("x", $"/api/v1/courses/{course}/students/submissions?graded_since=2026-01-01",
                SubmissionsWire.Default.CanvasSubmission)));
        Assert.Contains("graded_since", bad.Body, StringComparison.Ordinal);
        Assert.Equal(3, session.Accounting.Requests);
        Assert.Equal(0, session.Accounting.Retries);
        Assert.Contains(clients.Logs.Lines, l =>
            l.Contains("graded_since=2026-01-01", StringComparison.Ordinal)); // 400s are logged with the URL
    }

    [Theory]
    [InlineData(FaultKind.Internal500, "server_error")]
    [InlineData(FaultKind.BadGateway502, "proxy_error")]
    [InlineData(FaultKind.Unavailable503, "proxy_error")]
    [InlineData(FaultKind.GatewayTimeout504, "proxy_error")]
    [InlineData(FaultKind.CutMidBody, "connection")]
    [InlineData(FaultKind.TruncatedJson, "truncated")]
    public async Task Transient_failures_are_retried_with_backoff_then_reported(FaultKind kind, string cause)
    {
        await using var clients = new CanvasClients(retryAttempts: 2);
        _sandbox.Settings.FaultKinds = [kind];
        _sandbox.Settings.FaultRate = 1.0;
        try
        {
            var session = clients.Open(_sandbox, _sandbox.Tokens.Teacher);
            var e = await Assert.ThrowsAsync<CanvasTransientException>(() => DrainAsync(session.CoursesAsync()));
            Assert.Equal(cause, e.Cause);
            Assert.Equal(3, session.Accounting.Requests);
            Assert.Equal(2, session.Accounting.RetriesByCause[cause]);
            Assert.Equal(1, session.Accounting.Failed);
        }
        finally
        {
            _sandbox.Settings.FaultRate = 0;
        }
    }

    [Fact]
    public async Task A_slow_answer_past_the_request_timeout_is_a_retried_timeout()
    {
        await using var clients = new CanvasClients(retryAttempts: 1, requestTimeoutSeconds: 1);
        _sandbox.Settings.FaultKinds = [FaultKind.Slow];
        _sandbox.Settings.SlowMs = 3000;
        _sandbox.Settings.FaultRate = 1.0;
        try
        {
            var session = clients.Open(_sandbox, _sandbox.Tokens.Teacher);
            var e = await Assert.ThrowsAsync<CanvasTransientException>(() => session.GetSelfAsync());
            Assert.Equal("timeout", e.Cause);
        }
        finally
        {
            _sandbox.Settings.FaultRate = 0;
        }
    }

    [Fact]
    public async Task Cancellation_is_honoured_and_is_not_a_failure()
    {
        await using var clients = new CanvasClients();
        _sandbox.Settings.LatencyMs = 2000;
        try
        {
            var session = clients.Open(_sandbox, _sandbox.Tokens.Teacher);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DrainAsync(session.CoursesAsync(cts.Token)));
            Assert.Equal(0, session.Accounting.Retries);
        }
        finally
        {
            _sandbox.Settings.LatencyMs = 0;
        }
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public async Task Thirty_collections_in_parallel_on_a_tight_bucket_all_complete_with_no_failed_request(int status)
    {
        await using var sandbox =
            await SandboxServer.StartAsync(new SandboxOptions { CostMs = 60, LatencyMs = 20, ThrottleStatus = status });
        await using var clients = new CanvasClients();
        var session = clients.Open(sandbox, sandbox.Tokens.Teacher);
        var courses = new List<long>();
        await foreach (var page in session.CoursesAsync())
            courses.AddRange(page.Items.Where(i => i.Value.AccessRestrictedByDate != true).Select(i => i.Value.Id));

        // 30 collections at once from a session that starts wide open, so Canvas does refuse some.
        var wide = clients.Open(sandbox, sandbox.Tokens.Teacher, maxInFlight: 30);
        var jobs = courses.SelectMany(c => new Func<Task>[]
        {
            () => DrainAsync(wide.AssignmentsAsync(c, false)), () => DrainAsync(wide.EnrollmentsAsync(c)),
            () => DrainAsync(wide.SubmissionsAsync(c, new SubmissionQuery(true))), () => DrainAsync(wide.AssignmentGroupsAsync(c)),
        }).Take(30).ToList();
        Assert.Equal(30, jobs.Count);
        await Task.WhenAll(jobs.Select(j => j()));
        Assert.Equal(0, wide.Accounting.Failed);
        Assert.True(wide.Accounting.Throttled > 0, "30 requests at once on one token: Canvas refuses some");
        var stats = await _http.GetJsonAsync($"{sandbox.BaseUrl}/_sandbox/stats", null);
        Assert.Equal(wide.Accounting.Throttled, stats.GetProperty("throttled").GetInt64());
        Assert.Equal(wide.Accounting.Throttled, wide.Accounting.RetriesByCause.GetValueOrDefault("throttled"));
    }
}
