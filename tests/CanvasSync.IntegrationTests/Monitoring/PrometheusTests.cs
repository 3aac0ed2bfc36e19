using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox.Control;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Monitoring;

/// <summary>/metrics in the Prometheus text format, parsed and checked against the runs that produced it.</summary>
[Collection(PostgresCollection.Name)]
public sealed partial class PrometheusTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Metrics_count_runs_items_and_canvas_traffic_and_carry_no_names_or_tokens(string provider)
    {
        await using var h = await StartAsync(provider, postgres, MonitoringScenario.FastFailure);
        var s = await MonitoringScenario.RunAsync(h);

        // An admin's key is what Prometheus sends; nobody else may scrape.
        using (var anonymous = await h.Anonymous().GetAsync("/metrics")) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var user = await s.Alice.Http.GetAsync("/metrics")) Assert.Equal(HttpStatusCode.Forbidden, user.StatusCode);
        using var scrape = await s.Admin.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.MediaType);
        var text = await scrape.Content.ReadAsStringAsync();
        var samples = Parse(text);

        Assert.Equal(1, samples.Value("canvas_sync_total", ("status", "completed"), ("sync_type", "full")));
        Assert.Equal(1, samples.Value("canvas_sync_total", ("status", "completed"), ("sync_type", "delta")));
        Assert.Equal(1, samples.Value("canvas_sync_total", ("status", "failed"), ("sync_type", "full")));
        Assert.Equal(1, samples.Value("canvas_sync_total", ("status", "needs_reauth"), ("sync_type", "full")));

        // The histogram: buckets from 1 s to 1 h, cumulative, with every run that started counted once.
        var buckets = samples.All("canvas_sync_duration_seconds_bucket").Where(x => x.Labels["sync_type"] == "full").ToList();
        Assert.Equal(["1", "2", "5", "10", "30", "60", "120", "300", "600", "1200", "1800", "3600", "+Inf"],
            buckets.Select(b => b.Labels["le"]));
        Assert.Equal(buckets.Select(b => b.Value).Order(), buckets.Select(b => b.Value));
        Assert.Equal(3, samples.Value("canvas_sync_duration_seconds_count", ("sync_type", "full")));
        Assert.Equal(3, buckets[^1].Value);
        Assert.True(samples.Value("canvas_sync_duration_seconds_sum", ("sync_type", "full")) > 0);

        // Items: exactly what alice's two runs counted (the failed and revoked runs wrote nothing).
        foreach (var entity in s.AliceFull.Counts.Keys)
        {
            Assert.Equal(s.AliceFull.Counts[entity].Created + (s.AliceDelta.Counts.TryGetValue(entity, out var d) ? d.Created : 0),
                samples.Value("canvas_sync_items_total", ("entity", entity), ("action", "created")));
            Assert.Equal(s.AliceFull.Counts[entity].Unchanged + (d?.Unchanged ?? 0),
                samples.Value("canvas_sync_items_total", ("entity", entity), ("action", "unchanged")));
        }

        // Canvas traffic, by the answer's status class, is exactly what the sandbox says it answered (the runs' requests
        // and the token checks on connect), the injected 5xx and carol's 401 included.
        using var control = new HttpClient();
        var served = (await JsonOf(await control.GetAsync($"{h.Sandbox.BaseUrl}/_sandbox/stats"))).GetProperty("by_status")
            .EnumerateObject()
            .GroupBy(p => p.Name[0] + "xx").ToDictionary(g => g.Key, g => g.Sum(p => p.Value.GetInt64()));
        Assert.Equal(served.Keys.Order(),
            samples.All("canvas_api_requests_total").Where(x => x.Value > 0).Select(x => x.Labels["status_class"]).Order());
        foreach (var (statusClass, count) in served) Assert.Equal(count,
            samples.Value("canvas_api_requests_total", ("status_class", statusClass)));
        Assert.True(served["5xx"] >= 2);
        Assert.Equal(1, served["4xx"]); // carol's revoked token: one 401
        Assert.True(served.Values.Sum() >= s.AliceFull.Requests + s.AliceDelta.Requests + s.BobFailed.Requests + s.CarolReauth.Requests);
        Assert.Equal(0, samples.Value("canvas_api_throttled_total"));
        Assert.InRange(samples.Value("canvas_api_rate_limit_remaining"), 0, 700);

        // Gauges read from the database: nothing running or queued, one connection per status seen.
        Assert.Equal(0, samples.Value("canvas_sync_active"));
        Assert.Equal(0, samples.Value("canvas_sync_queue_depth"));
        Assert.Equal(1, samples.Value("canvas_sync_connections", ("status", "needs_reauth")));
        Assert.Equal(1, samples.Value("canvas_sync_connections", ("status", "error")));
        Assert.Equal(1, samples.Value("canvas_sync_connections", ("status", "ok")));
        Assert.Equal(0, samples.Value("canvas_sync_connections", ("status", "disconnected")));
        // Bob's connection never completed a sync: its age runs from when he connected, a few seconds ago.
        Assert.InRange(samples.Value("canvas_sync_stalest_data_age_seconds"), 0, 600);

        foreach (var secret in new[] { "alice", "bob", "carol", "root", h.Sandbox.Tokens.Student, h.Sandbox.Tokens.Teacher,
            h.Sandbox.Tokens.Admin, s.Admin.ApiKey })
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Metrics_may_be_opened_to_anonymous_scrapers_and_health_checks_cover_the_job_storage()
    {
        await using var h = await StartAsync("sqlite", postgres, ["--Monitoring:AnonymousMetrics=true"]);
        using var scrape = await h.Anonymous().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("canvas_sync_queue_depth 0", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var live = await h.Anonymous().GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await h.Anonymous().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    /// <summary>One sample line: name{labels} value.</summary>
    internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    internal sealed class Samples(List<Sample> samples)
    {
        public IEnumerable<Sample> All(string name) => samples.Where(x => x.Name == name);

        /// <summary>The value of the one sample with these labels (exactly); 0 when a labelled series has not been seen.</summary>
        public double Value(string name, params (string Key, string Value)[] labels) =>
            All(name).SingleOrDefault(x => x.Labels.Count == labels.Length
                && labels.All(l => x.Labels.TryGetValue(l.Key, out var v) && v == l.Value))?.Value ?? 0;
    }

    /// <summary>The text exposition format: # HELP and # TYPE lines, then samples; label values are quoted.</summary>
    /// <summary>
    /// Drift is a figure: what a reconcile had to write is on the run's record, in the metrics API, at /metrics and in
    /// the log, per entity and field, with an example row.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_reconciles_drift_is_on_its_record_in_the_metrics_api_at_metrics_and_in_the_log(string provider)
    {
        await using var sandbox =
            await Sandbox.SandboxServer.StartAsync(new Sandbox.SandboxOptions { Profile = Sandbox.World.SandboxProfile.Classroom });
        await using var h = await StartAsync(provider, postgres, sandbox: sandbox);
        var admin = await h.AddUserAsync("admin", admin: true);
        var tess = await h.AddUserAsync("tess");
        (await h.ConnectCanvasAsync(tess, token: sandbox.Tokens.Teacher)).EnsureSuccessStatusCode();
        await h.SyncStoredAsync(tess.UserId);
        using var control = new HttpClient();
        // A moderator flag changes no group's JSON: a plain delta misses it, the reconcile writes it.
        await SandboxChanges.MakeAsync(control, sandbox.BaseUrl, await MirrorTruth.TruthAsync(control, sandbox, sandbox.Tokens.Teacher),
            "moderator");
        await h.SyncStoredAsync(tess.UserId, CanvasSync.Features.SyncRuns.SyncType.Delta);
        var reconcile = await h.SyncStoredAsync(tess.UserId, CanvasSync.Features.SyncRuns.SyncType.Reconcile);
        var example = Assert.Single(reconcile!.Drift).ExampleCanvasId;

        var report = await JsonOf(await tess.Http.GetAsync("/api/v1/metrics/drift?days=1"));
        Assert.Equal((1, 1L), (report.GetProperty("reconciles").GetInt32(), report.GetProperty("rows").GetInt64()));
        var line = Assert.Single(report.GetProperty("fields").EnumerateArray());
        Assert.Equal(("group_memberships", "moderator", 1L, example, reconcile.RunId),
            (line.GetProperty("entity_type").GetString(), line.GetProperty("field").GetString(), line.GetProperty("rows").GetInt64(),
             (long?)line.GetProperty("example_canvas_id").GetInt64(), line.GetProperty("last_run_id").GetInt64()));
        var record = (await JsonOf(await tess.Http.GetAsync("/api/v1/metrics/recent?limit=1"))).GetProperty("items")[0];
        Assert.Equal(("reconcile", "moderator"),
            (record.GetProperty("sync_type").GetString(), record.GetProperty("drift")[0].GetProperty("field").GetString()));

        var samples = Parse(await (await admin.Http.GetAsync("/metrics")).Content.ReadAsStringAsync());
        Assert.Equal(1, samples.Value("canvas_sync_drift_rows_total", ("entity", "group_memberships"), ("field", "moderator")));
        Assert.Contains(h.Logs.Lines, l =>
            l.Contains("found drift: group_memberships.moderator in 1 rows, e.g. Canvas id " + example, StringComparison.Ordinal));
    }

    internal static Samples Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var m = SampleLine().Match(line);
            Assert.True(m.Success, $"not a sample line: {line}");
            var labels = LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(p => p.Groups[1].Value, p => p.Groups[2].Value);
            samples.Add(new Sample(m.Groups["name"].Value, labels, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }

        Assert.Contains("# TYPE canvas_sync_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE canvas_sync_total counter", text, StringComparison.Ordinal);
        return new Samples(samples);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
