using System.Net;
using System.Text.Json;
using CanvasSync.IntegrationTests.Infrastructure;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Monitoring;

/// <summary>The metrics API over HTTP, on the records of real sandbox syncs: successes, an injected failure, a revoked token.</summary>
[Collection(PostgresCollection.Name)]
public sealed class MetricsApiTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_run_leaves_a_metrics_record_and_users_see_only_their_own(string provider)
    {
        await using var h = await StartAsync(provider, postgres, MonitoringScenario.FastFailure);
        var s = await MonitoringScenario.RunAsync(h);

        var mine = (await JsonOf(await s.Alice.Http.GetAsync("/api/v1/metrics/recent?limit=10"))).GetProperty("items");
        Assert.Equal([s.AliceDelta.RunId, s.AliceFull.RunId], mine.EnumerateArray().Select(r => r.GetProperty("run_id").GetInt64()));
        var full = mine[1];
        Assert.Equal(s.Alice.UserId, full.GetProperty("user_id").GetInt64());
        Assert.Equal("full", full.GetProperty("sync_type").GetString());
        Assert.Equal("completed", full.GetProperty("status").GetString());
        Assert.True(full.GetProperty("duration_seconds").GetDouble() > 0);
        Assert.True(full.GetProperty("finished_at").GetDateTime() >= full.GetProperty("started_at").GetDateTime());
        var phases = full.GetProperty("phase_seconds");
        // A collection's phase is its listings': Alice is a student, whose own submissions come in the assignments'.
        foreach (var phase in new[] { "connect", "courses", "assignments", "enrollments", "finish" })
            Assert.True(phases.TryGetProperty(phase, out var seconds) && seconds.GetDouble() >= 0, $"no {phase} in {phases}");
        // The record's item counts are the run's own (as the engine reported them), with processed their sum.
        foreach (var (entity, counts) in s.AliceFull.Counts)
        {
            var item = full.GetProperty("items").GetProperty(entity);
            Assert.Equal(counts.Created, item.GetProperty("created").GetInt64());
            Assert.Equal(counts.Updated, item.GetProperty("updated").GetInt64());
            Assert.Equal(counts.Deleted, item.GetProperty("deleted").GetInt64());
            Assert.Equal(counts.Created + counts.Updated + counts.Deleted + counts.Unchanged, item.GetProperty("processed").GetInt64());
        }

        Assert.True(full.GetProperty("items").GetProperty("assignments").GetProperty("created").GetInt64() > 0);
        Assert.Equal(s.AliceFull.Requests, full.GetProperty("canvas").GetProperty("requests").GetInt64());
        Assert.True(full.GetProperty("canvas").GetProperty("pages").GetInt64() > 0);
        Assert.True(full.GetProperty("canvas").GetProperty("bytes").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, full.GetProperty("error").ValueKind);

        // Everyone's, for an admin; one user's with user_id; a user may not ask for someone else's.
        var all = (await JsonOf(await s.Admin.Http.GetAsync("/api/v1/metrics/recent"))).GetProperty("items");
        Assert.Equal(4, all.GetArrayLength());
        var bobs = (await JsonOf(await s.Admin.Http.GetAsync($"/api/v1/metrics/recent?user_id={s.Bob.UserId}"))).GetProperty("items");
        Assert.Equal([s.BobFailed.RunId], bobs.EnumerateArray().Select(r => r.GetProperty("run_id").GetInt64()));
        using var notYours = await s.Alice.Http.GetAsync($"/api/v1/metrics/summary?user_id={s.Bob.UserId}");
        Assert.Equal(HttpStatusCode.Forbidden, notYours.StatusCode);
        Assert.True((await JsonOf(notYours)).GetProperty("errors").TryGetProperty("user_id", out _));

        // One summary line per run in the log, naming the run, its connection and its outcome; every line the run
        // logs carries the run's id in its scope.
        foreach (var (run, status) in new[] { (s.AliceFull.RunId, "Completed"), (s.BobFailed.RunId, "Failed"),
            (s.CarolReauth.RunId, "NeedsReauth") })
        {
            var line = Assert.Single(h.Logs.Lines, l => l.Contains($"Sync run {run} of connection", StringComparison.Ordinal)
                && l.Contains($"ended {status} in", StringComparison.Ordinal));
            Assert.Contains($"SyncRunId={run},", line, StringComparison.Ordinal);
        }

        Assert.Contains(h.Logs.Lines, l => l.Contains("Sync collection", StringComparison.Ordinal)
            && l.Contains($"SyncRunId={s.BobFailed.RunId},", StringComparison.Ordinal)
            || l.Contains($"Sync run {s.BobFailed.RunId} failed as a whole", StringComparison.Ordinal)
                && l.Contains($"SyncRunId={s.BobFailed.RunId},", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Summary_failures_performance_and_health_add_up(string provider)
    {
        await using var h = await StartAsync(provider, postgres, MonitoringScenario.FastFailure);
        var s = await MonitoringScenario.RunAsync(h);

        var summary = await JsonOf(await s.Admin.Http.GetAsync("/api/v1/metrics/summary?days=1"));
        Assert.Equal(4, summary.GetProperty("total_syncs").GetInt32());
        Assert.Equal(2, summary.GetProperty("succeeded").GetInt32());
        Assert.Equal(2, summary.GetProperty("failed").GetInt32());
        Assert.Equal(0.5, summary.GetProperty("success_rate").GetDouble());
        Assert.Equal(1, summary.GetProperty("by_status").GetProperty("needs_reauth").GetInt32());
        // Items synced: what Canvas served the runs, as each record says; bob's and carol's runs got nothing.
        var records = (await JsonOf(await s.Admin.Http.GetAsync("/api/v1/metrics/recent"))).GetProperty("items").EnumerateArray()
            .ToDictionary(r => r.GetProperty("run_id").GetInt64(), r => r.GetProperty("canvas").GetProperty("items").GetInt64());
        Assert.Equal(0, records[s.BobFailed.RunId] + records[s.CarolReauth.RunId]);
        Assert.True(records[s.AliceFull.RunId] > 100);
        Assert.Equal(records.Values.Sum(), summary.GetProperty("items_synced").GetInt64());
        var average = summary.GetProperty("average_duration_seconds").GetDouble();
        Assert.InRange(summary.GetProperty("p95_duration_seconds").GetDouble(), average, double.MaxValue);

        var alices = await JsonOf(await s.Alice.Http.GetAsync("/api/v1/metrics/summary"));
        Assert.Equal(2, alices.GetProperty("total_syncs").GetInt32());
        Assert.Equal(1.0, alices.GetProperty("success_rate").GetDouble());

        var failed = (await JsonOf(await s.Admin.Http.GetAsync("/api/v1/metrics/failed?days=1"))).GetProperty("items");
        var byRun = failed.EnumerateArray().ToDictionary(r => r.GetProperty("run_id").GetInt64());
        Assert.Equal([s.BobFailed.RunId, s.CarolReauth.RunId], byRun.Keys.Order());
        Assert.Equal("canvas_error", byRun[s.BobFailed.RunId].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("token_revoked", byRun[s.CarolReauth.RunId].GetProperty("error").GetProperty("code").GetString());
        Assert.Empty((await JsonOf(await s.Alice.Http.GetAsync("/api/v1/metrics/failed"))).GetProperty("items").EnumerateArray());

        var days = await JsonOf(await s.Admin.Http.GetAsync("/api/v1/metrics/performance?days=3"));
        Assert.Equal(3, days.GetArrayLength());
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow),
            DateOnly.Parse(days[2].GetProperty("date").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(4, days[2].GetProperty("count").GetInt32());
        Assert.Equal(0.5, days[2].GetProperty("success_rate").GetDouble());
        Assert.True(days[2].GetProperty("p95_duration_seconds").GetDouble() >= days[2].GetProperty("p50_duration_seconds").GetDouble());
        Assert.True(days[2].GetProperty("items_per_second").GetDouble() > 0);
        Assert.Equal(0, days[0].GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, days[0].GetProperty("success_rate").ValueKind);

        // Half the runs failed: unhealthy, and carol's connection needs a new token.
        var health = await JsonOf(await s.Admin.Http.GetAsync("/api/v1/metrics/health"));
        Assert.Equal("unhealthy", health.GetProperty("status").GetString());
        var reasons = health.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()).ToList();
        Assert.Contains("failure_rate", reasons);
        Assert.Contains("needs_reauth", reasons);
        Assert.Equal(1, health.GetProperty("connections_needing_reauth").GetInt32());
        Assert.Equal(0.5, health.GetProperty("failure_rate").GetDouble());
        var alicesHealth = await JsonOf(await s.Alice.Http.GetAsync("/api/v1/metrics/health"));
        Assert.Equal("healthy", alicesHealth.GetProperty("status").GetString());
        Assert.Empty(alicesHealth.GetProperty("reasons").EnumerateArray());
        var carolsHealth = await JsonOf(await s.Carol.Http.GetAsync("/api/v1/metrics/health"));
        Assert.Equal("unhealthy", carolsHealth.GetProperty("status").GetString()); // her only run failed

        // A run stuck in the queue makes it (at least) degraded; bad numbers name their field.
        await using (var db = h.Database.Context())
        {
            var bobsConnection = db.Connections.Single(c => c.UserId == s.Bob.UserId).Id;
            db.SyncRuns.Add(new Features.SyncRuns.SyncRun
            {
                ConnectionId = bobsConnection,
                Status = Features.SyncRuns.SyncStatus.Queued,
                QueuedAt = DateTime.UtcNow.AddHours(-2)
            });
            await db.SaveChangesAsync();
        }

        var bobsHealth = await JsonOf(await s.Bob.Http.GetAsync("/api/v1/metrics/health"));
        Assert.Contains("stuck_runs", bobsHealth.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
        Assert.Equal(1, bobsHealth.GetProperty("stuck_runs").GetInt32());
        foreach (var (url, field) in new[] { ("summary?days=0", "days"), ("performance?days=400", "days"), ("recent?limit=0", "limit"),
            ("failed?limit=500", "limit") })
        {
            using var bad = await s.Admin.Http.GetAsync("/api/v1/metrics/" + url);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.True((await JsonOf(bad)).GetProperty("errors").TryGetProperty(field, out _), url);
        }
    }
}
