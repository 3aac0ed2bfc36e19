using CanvasSync.Features.Monitoring;
using CanvasSync.Features.Monitoring.Alerts;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Monitoring;

[Collection(PostgresCollection.Name)]
public sealed class RetentionTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Retention_deletes_only_finished_runs_and_alerts_older_than_the_limit(string provider)
    {
        await using var h = await StartAsync(provider, postgres, ["--Sync:SchedulerEnabled=false", "--Monitoring:RetentionDays=30"]);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        var old = (await h.SyncStoredAsync(alice.UserId))!;
        var recent = (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!;
        var borderline = (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!;

        long connectionId;
        long queuedLongAgo;
        await using (var db = h.Database.Context())
        {
            connectionId = await db.Connections.Where(c => c.UserId == alice.UserId).Select(c => c.Id).SingleAsync();
            // One run finished 31 days ago, one 29 days ago; a run queued 40 days ago and never finished is still work.
            await db.SyncRuns.Where(r => r.Id == old.RunId)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.FinishedAt, DateTime.UtcNow.AddDays(-31)));
            await db.SyncRuns.Where(r => r.Id == borderline.RunId)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.FinishedAt, DateTime.UtcNow.AddDays(-29)));
            var queued = new SyncRun { ConnectionId = connectionId, Status = SyncStatus.Queued, QueuedAt = DateTime.UtcNow.AddDays(-40) };
            db.SyncRuns.Add(queued);
            db.SentAlerts.AddRange(
                new SentAlert { ConnectionId = connectionId, RunId = old.RunId, Kind = "failed", SentAt = DateTime.UtcNow.AddDays(-31) },
                new SentAlert { ConnectionId = connectionId, RunId = recent.RunId, Kind = "failed", SentAt = DateTime.UtcNow.AddDays(-1) });
            await db.SaveChangesAsync();
            queuedLongAgo = queued.Id;
            Assert.True(await db.SyncRunCounts.AnyAsync(c => c.RunId == old.RunId));
        }

        var deleted = await h.App.Services.GetRequiredService<MetricsRetention>().RunAsync(CancellationToken.None);

        Assert.Equal(1, deleted);
        await using (var db = h.Database.Context())
        {
            Assert.Equal([recent.RunId, borderline.RunId, queuedLongAgo],
                await db.SyncRuns.OrderBy(r => r.Id).Select(r => r.Id).ToListAsync());
            Assert.False(await db.SyncRunCounts.AnyAsync(c => c.RunId == old.RunId)); // its counts went with it
            Assert.True(await db.SyncRunCounts.AnyAsync(c => c.RunId == recent.RunId));
            Assert.Equal([recent.RunId], await db.SentAlerts.Select(a => a.RunId).ToListAsync());
            Assert.True(await db.Courses.AnyAsync(c => c.ConnectionId == connectionId)); // the mirror is not metrics
        }

        var history = await JsonOf(await alice.Http.GetAsync("/api/v1/metrics/recent"));
        Assert.DoesNotContain(old.RunId, history.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("run_id").GetInt64()));
    }
}
