using System.Net;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.Tests.Infrastructure;

namespace CanvasSync.Sandbox.Tests;

/// <summary>docs/canvas.md §4: the leaky bucket's maths, the headers, and refusals under parallel load.</summary>
public sealed class ThrottleTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Ticks { get; set; }
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
        public void Advance(double seconds) => Ticks += (long)(seconds * TimeSpan.TicksPerSecond);
    }

    [Fact]
    public void Bucket_leaks_only_while_positive_adds_then_clamps_to_zero_and_maximum()
    {
        var time = new ManualTime();
        var bucket = new LeakyBucket(time);
        var s = new ThrottleSettings();
        Assert.Equal(50, bucket.Increment(50, s));
        time.Advance(1);
        Assert.Equal(40, bucket.Increment(0, s), 6);         // leaked 10/s
        time.Advance(10);
        Assert.Equal(0, bucket.Increment(0, s), 6);          // never below zero
        time.Advance(100);                                     // an empty bucket does not "bank" leak
        Assert.Equal(50, bucket.Increment(50, s), 6);
        Assert.Equal(800, bucket.Increment(10_000, s), 6);   // clamped to the maximum
        Assert.Equal(0, bucket.Increment(-10_000, s), 6);
    }

    [Theory]
    [InlineData(403, "403 Forbidden (Rate Limit Exceeded)\n")]
    [InlineData(429, "429 Too Many Requests (Rate Limit Exceeded)\n")]
    public async Task A_burst_on_one_token_passes_about_hwm_over_up_front_cost_and_refuses_the_rest(int status, string body)
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { CostMs = 1500, ThrottleStatus = status });
        using var http = new HttpClient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 30)
            .Select(_ => http.GetAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student)));
        var passed = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.Where(r => (int)r.StatusCode == status).ToList();

        // 600 / 50: the 12th reservation reaches the high-water mark unless the bucket leaked a little meanwhile.
        Assert.InRange(passed, 11, 12);
        Assert.Equal(30 - passed, refused.Count);
        foreach (var r in refused)
        {
            Assert.Equal(body, await r.Content.ReadAsStringAsync());
            Assert.Equal("text/plain; charset=utf-8", r.Content.Headers.ContentType!.ToString());
            Assert.Equal("0.0", r.Headers.GetValues("X-Rate-Limit-Remaining").Single());
            Assert.False(r.Headers.Contains("X-Request-Cost"));
        }

        // Other tokens have buckets of their own.
        using var other = await http.GetAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Teacher);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task A_sequential_client_is_never_throttled_and_every_answer_carries_cost_and_remaining()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { CostMs = 5 });
        using var http = new HttpClient();
        for (var i = 0; i < 40; i++)
        {
            using var r = await http.GetAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var cost = double.Parse(r.Headers.GetValues("X-Request-Cost").Single(), System.Globalization.CultureInfo.InvariantCulture);
            var remaining = double.Parse(r.Headers.GetValues("X-Rate-Limit-Remaining").Single(),
                System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(cost, 1e-6, 5); // the server's real time; a 5 ms timer may wake a little early
            Assert.InRange(remaining, 590, 600);
        }
    }

    [Fact]
    public async Task Remaining_falls_while_requests_are_in_flight_and_the_stats_see_the_peak()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { CostMs = 800 });
        using var http = new HttpClient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => http.GetAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student)));
        var remaining = responses.Select(r =>
            double.Parse(r.Headers.GetValues("X-Rate-Limit-Remaining").Single(), System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Contains(remaining, x => x < 600 - 50 * 3); // the first to finish still saw the others' reservations

        var stats = await http.GetJsonAsync($"{sandbox.BaseUrl}/_sandbox/stats", null);
        Assert.Equal(8, stats.GetProperty("max_in_flight").EnumerateObject()
            .Single(p => p.Name.StartsWith("user:", StringComparison.Ordinal)).Value.GetInt32());
        Assert.DoesNotContain(sandbox.Tokens.Student, stats.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Costs_print_as_ruby_floats() =>
        Assert.Equal(["10.0", "0.25", "4.39e-05", "-12.5", "599.94"],
            new[] { 10.0, 0.25, 4.39e-05, -12.5, 599.94 }.Select(JsonWriterExtensions.RubyFloat));
}
