using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>
/// Syncs as background jobs in the running service (Hangfire in memory on SQLite, in PostgreSQL on PostgreSQL): the
/// scheduler queues stale connections in batches, a second trigger finds the first, and runs left unfinished by a
/// stopped service resume when it starts again.
/// </summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class BackgroundJobTests(PostgresServer postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_scheduler_queues_stale_connections_in_batches_and_each_sync_runs_in_the_background(string provider)
    {
        // The test calls the scheduler itself; the recurring one stays off so a clock hitting :00 or :30 cannot race it.
        await using var h = await StartAsync(provider, postgres, ["--Sync:BatchSize=1", "--Sync:SchedulerEnabled=false"]);
        var alice = await h.AddUserAsync("alice");
        var bob = await h.AddUserAsync("bob");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        (await h.ConnectCanvasAsync(bob, token: h.Sandbox.Tokens.Teacher)).EnsureSuccessStatusCode();
        var scheduler = h.App.Services.GetRequiredService<SyncScheduler>();

        // Never synced: both are stale, one per round.
        Assert.Equal(1, await scheduler.EnqueueStaleAsync(CancellationToken.None));
        await UntilFinishedAsync(h, 1);
        Assert.Equal(1, await scheduler.EnqueueStaleAsync(CancellationToken.None));
        await UntilFinishedAsync(h, 2);
        Assert.Equal(0, await scheduler.EnqueueStaleAsync(CancellationToken.None)); // both fresh now

        await using (var db = h.Database.Context())
        {
            var runs = await db.SyncRuns.ToListAsync();
            Assert.All(runs, r => Assert.Equal((SyncStatus.Completed, SyncType.Full), (r.Status, r.Type)));
            // An hour and a half later alice's data is stale again: the next round gives her a delta.
            var aliceConnection = await db.Connections.SingleAsync(c => c.UserId == alice.UserId);
            aliceConnection.LastFullSyncAt = aliceConnection.LastFullSyncAt!.Value.AddMinutes(-90);
            await db.SaveChangesAsync();
        }

        Assert.Equal(1, await scheduler.EnqueueStaleAsync(CancellationToken.None));
        var delta = await UntilFinishedAsync(h, 3);
        Assert.Equal((SyncStatus.Completed, SyncType.Delta), (delta.Status, delta.Type));
        var truth = await MirrorTruth.TruthAsync(new HttpClient(), h.Sandbox, h.Sandbox.Tokens.Student);
        await MirrorTruth.AssertEqualsAsync(h.Database, delta.ConnectionId, truth);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_reconcile_due_comes_right_after_its_delta_but_reconciles_take_only_their_share_of_a_round(string provider)
    {
        await using var h = await StartAsync(provider, postgres,
            ["--Sync:SchedulerEnabled=false", "--Sync:ReconcileEveryDays=7", "--Sync:ReconcileShare=0.1"]);
        var alice = await h.AddUserAsync("alice");
        var bob = await h.AddUserAsync("bob");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        (await h.ConnectCanvasAsync(bob, token: h.Sandbox.Tokens.Teacher)).EnsureSuccessStatusCode();
        var scheduler = h.App.Services.GetRequiredService<SyncScheduler>();
        Assert.Equal(2, await scheduler.EnqueueStaleAsync(CancellationToken.None));
        await UntilFinishedAsync(h, 2);

        // Eight days on, both are stale and both are due a reconcile, but a round of two has room for one: both get
        // their delta, and one of them its reconcile the moment the delta completes.
        await AgeAsync(h, TimeSpan.FromDays(8));
        Assert.Equal(2, await scheduler.EnqueueStaleAsync(CancellationToken.None));
        var first = await RoundAsync(h, skip: 2, runs: 3);
        // Nothing changed in Canvas, so the reconcile found the mirror whole.
        await using (var db = h.Database.Context()) Assert.Empty(await db.SyncRunDrift.ToListAsync());

        // The one that waited gets its reconcile in the next round; the other's clock started again.
        await AgeAsync(h, TimeSpan.FromMinutes(90));
        Assert.Equal(2, await scheduler.EnqueueStaleAsync(CancellationToken.None));
        var second = await RoundAsync(h, skip: 5, runs: 3);
        Assert.NotEqual(first, second);

        // A run that left a collection unread (a page whose links Canvas dropped, a 5xx past every retry) is followed
        // by a reconcile in the next round, however recent the last full read.
        await AgeAsync(h, TimeSpan.FromMinutes(90));
        await using (var db = h.Database.Context())
        {
            var connection = await db.Connections.SingleAsync(c => c.Id == first);
            connection.LastErrorCode = "collections_failed";
            await db.SaveChangesAsync();
        }

        Assert.Equal(2, await scheduler.EnqueueStaleAsync(CancellationToken.None));
        Assert.Equal(first, await RoundAsync(h, skip: 8, runs: 3));
    }

    /// <summary>
    /// Waits for a round's <paramref name="runs"/> runs after the first <paramref name="skip"/>: two completed deltas and
    /// one reconcile, which followed its own connection's delta. Returns that connection.
    /// </summary>
    private static async Task<long> RoundAsync(ServiceHarness h, int skip, int runs)
    {
        await UntilFinishedAsync(h, skip + runs);
        await using var db = h.Database.Context();
        var round = await db.SyncRuns.AsNoTracking().OrderBy(r => r.Id).Skip(skip).ToListAsync();
        Assert.Equal(runs, round.Count);
        Assert.All(round, r => Assert.Equal(SyncStatus.Completed, r.Status));
        Assert.Equal([SyncType.Delta, SyncType.Delta, SyncType.Reconcile], round.Select(r => r.Type).Order());
        var reconcile = round.Single(r => r.Type == SyncType.Reconcile);
        var before = round.Single(r => r.ThenReconcile);
        Assert.Equal(before.ConnectionId, reconcile.ConnectionId);
        Assert.True(reconcile.StartedAt >= before.FinishedAt, "the reconcile starts once its delta is done");
        return reconcile.ConnectionId;
    }

    /// <summary>Moves every connection's last syncs back by <paramref name="by"/>, as if that much time had passed.</summary>
    private static async Task AgeAsync(ServiceHarness h, TimeSpan by)
    {
        await using var db = h.Database.Context();
        foreach (var c in await db.Connections.ToListAsync())
        {
            c.LastFullSyncAt -= by;
            c.LastDeltaAt -= by;
            c.LastSlowLaneAt -= by;
        }

        await db.SaveChangesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_second_trigger_gets_the_run_already_queued_or_running(string provider)
    {
        await using var h = await StartAsync(provider, postgres,
            sandbox: await SandboxServer.StartAsync(new SandboxOptions { LatencyMs = 20 }));
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        var scheduler = h.App.Services.GetRequiredService<SyncScheduler>();
        long connectionId;
        await using (var db = h.Database.Context()) connectionId = await db.Connections.Select(c => c.Id).SingleAsync();

        var first = await scheduler.EnqueueAsync(connectionId, new SyncRequest(SyncType.Full, new SyncScope()), CancellationToken.None);
        var second = await scheduler.EnqueueAsync(connectionId, new SyncRequest(SyncType.Delta, new SyncScope()), CancellationToken.None);
        Assert.False(first.Existing);
        Assert.Equal((first.RunId, true), (second.RunId, second.Existing));
        var run = await UntilFinishedAsync(h, 1);
        Assert.Equal(SyncStatus.Completed, run.Status);
        await h.Sandbox.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_run_interrupted_by_shutdown_resumes_when_the_service_starts_again(string provider)
    {
        var database = await TestDatabase.CreateAsync(provider, postgres);
        // The instructor's Canvas at 50 ms a request: several seconds of work, so the stop lands mid-run.
        await using var sandbox =
            await SandboxServer.StartAsync(new SandboxOptions
            {
                Profile = CanvasSync.Sandbox.World.SandboxProfile.Instructor,
                LatencyMs = 50
            });
        var keyFile = Path.Combine(Path.GetTempPath(), $"canvassync-master-{Guid.NewGuid():N}.key");
        long runId;
        long connectionId;
        await using (var first = await StartAsync(provider, postgres, database: database, masterKeyFile: keyFile, sandbox: sandbox))
        {
            var alice = await first.AddUserAsync("alice");
            (await first.ConnectCanvasAsync(alice, token: sandbox.Tokens.Teacher)).EnsureSuccessStatusCode();
            await using (var db = database.Context()) connectionId = await db.Connections.Select(c => c.Id).SingleAsync();
            (runId, _) = await first.App.Services.GetRequiredService<SyncScheduler>()
                .EnqueueAsync(connectionId, new SyncRequest(SyncType.Full, new SyncScope()), CancellationToken.None);
            // Let it get some way in, then stop the service as an operator would.
            await UntilAsync(async db => await db.SyncCheckpoints.CountAsync(c => c.RunId == runId && c.Done) >= 3, database);
            await first.App.StopAsync();
        }

        await using (var db = database.Context())
        {
            var stopped = await db.SyncRuns.SingleAsync(r => r.Id == runId);
            Assert.Equal(SyncStatus.Running, stopped.Status); // left to be resumed, not cancelled
            Assert.Null(stopped.LeaseOwner);
            Assert.True(await db.SyncCheckpoints.AnyAsync(c => c.RunId == runId && !c.Done));
        }

        await using (var second = await StartAsync(provider, postgres, database: database, masterKeyFile: keyFile, sandbox: sandbox))
        {
            var run = await UntilFinishedAsync(second, 1);
            Assert.Equal((runId, SyncStatus.Completed, true), (run.Id, run.Status, run.Resumed));
            await MirrorTruth.AssertEqualsAsync(database, connectionId,
                await MirrorTruth.TruthAsync(new HttpClient(), sandbox, sandbox.Tokens.Teacher));
        }

        File.Delete(keyFile);
        await database.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_run_that_fails_as_a_whole_is_recorded_failed_and_a_retry_resumes_it(string provider)
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        await using var h = await StartAsync(provider, postgres, ["--Canvas:RetryAttempts=1"], sandbox: sandbox);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        long connectionId;
        await using (var db = h.Database.Context()) connectionId = await db.Connections.Select(c => c.Id).SingleAsync();

        // Canvas goes away: the run cannot even start, and says so instead of hanging in "running".
        var port = new Uri(sandbox.BaseUrl).Port;
        await sandbox.DisposeAsync();
        var (runId, _) = await h.App.Services.GetRequiredService<SyncScheduler>()
            .EnqueueAsync(connectionId, new SyncRequest(SyncType.Full, new SyncScope()), CancellationToken.None);
        await UntilAsync(async db => await db.SyncRuns.AnyAsync(r => r.Id == runId && r.Status == SyncStatus.Failed), h.Database);
        await using (var db = h.Database.Context())
        {
            var failed = await db.SyncRuns.SingleAsync(r => r.Id == runId);
            Assert.Equal("canvas_error", failed.ErrorCode);
            Assert.Equal(CanvasSync.Features.Connections.ConnectionStatus.Error, (await db.Connections.SingleAsync()).Status);
        }

        // Canvas is back on the same address; the job system's retry (run here at once) resumes the same run.
        await using var back = await SandboxServer.StartAsync(new SandboxOptions { Port = port });
        await using (var scope = h.App.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<SyncJob>().RunAsync(connectionId, runId, CancellationToken.None);
        await using (var db = h.Database.Context())
        {
            var retried = await db.SyncRuns.SingleAsync(r => r.Id == runId);
            Assert.Equal(SyncStatus.Completed, retried.Status);
            Assert.Null(retried.ErrorCode);
            Assert.Equal(CanvasSync.Features.Connections.ConnectionStatus.Ok, (await db.Connections.SingleAsync()).Status);
        }

        await MirrorTruth.AssertEqualsAsync(h.Database, connectionId,
            await MirrorTruth.TruthAsync(new HttpClient(), back, back.Tokens.Student));
    }

    /// <summary>Waits until <paramref name="finished"/> runs have ended; returns the newest.</summary>
    private static async Task<SyncRun> UntilFinishedAsync(ServiceHarness h, int finished)
    {
        await UntilAsync(async db =>
            await db.SyncRuns.CountAsync(r => r.Status != SyncStatus.Queued && r.Status != SyncStatus.Running) >= finished, h.Database);
        await using var db = h.Database.Context();
        return await db.SyncRuns.AsNoTracking().OrderByDescending(r => r.FinishedAt)
            .FirstAsync(r => r.Status != SyncStatus.Queued && r.Status != SyncStatus.Running);
    }

    private static async Task UntilAsync(Func<CanvasSync.Data.CanvasSyncDbContext, Task<bool>> condition, TestDatabase database)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await using (var db = database.Context())
                if (await condition(db)) return;
            Assert.True(DateTime.UtcNow < deadline, "the background job did not get there in time");
            await Task.Delay(100);
        }
    }
}
