using CanvasSync.Cluster;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Hosting;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>
/// A run's lease between engines that share only the database, as nodes do: each engine here has its own name and
/// in-process bookkeeping. On both databases: the CLI beside `serve` shares leases on SQLite too.
/// </summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class LeaseTests(PostgresServer postgres)
{
    public static TheoryData<string> Providers => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_node_whose_lease_was_taken_stops_and_writes_nothing_while_the_taker_finishes_the_run(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres,
            new SandboxOptions { Profile = SandboxProfile.Instructor, LatencyMs = 30 });
        var token = h.Sandbox.Tokens.Teacher;
        var first = EngineNamed(h, "node-one");
        var second = EngineNamed(h, "node-two");
        var running = first.RunAsync(h.ConnectionId, token, new SyncRequest(SyncType.Full, new SyncScope()));
        var run = await RunningAsync(h);

        // As if node-one had been silent past its lease and a third node had taken the run and died: node-one's
        // next write finds the lease gone, and node-two sees a lapsed lease it may take.
        await using (var db = h.Database.Context())
            await db.SyncRuns.Where(r => r.Id == run.Id).ExecuteUpdateAsync(u => u
                .SetProperty(r => r.LeaseOwner, "node-gone").SetProperty(r => r.HeartbeatAt, DateTime.UtcNow.AddHours(-1)));
        var abandoned = await running;
        Assert.Equal(SyncStatus.Running, abandoned.Status); // not finished by node-one: not its run any more

        var finished = await second.RunAsync(h.ConnectionId, token, new SyncRequest(SyncType.Full, new SyncScope()));
        Assert.Equal((run.Id, SyncStatus.Completed, true), (finished.RunId, finished.Status, finished.Resumed));
        await using (var db = h.Database.Context())
        {
            var ended = await db.SyncRuns.AsNoTracking().SingleAsync();
            Assert.Equal(("node-two", 2, (string?)null), (ended.Node, ended.Attempt, ended.LeaseOwner));
        }

        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_cancel_asked_where_the_run_is_not_running_reaches_it_at_its_next_lease_renewal(string provider)
    {
        // Latency long enough that the sync outlasts two renewals (every 2 s) even when the cancel lands just after one:
        // at 60 ms the whole sync took 3 s, and under load it once finished before the renewal that would have seen the cancel.
        await using var h = await SyncHarness.StartAsync(provider, postgres,
            new SandboxOptions { Profile = SandboxProfile.Instructor, LatencyMs = 150 });
        var holder = EngineNamed(h, "node-one", leaseSeconds: 6);
        var elsewhere = EngineNamed(h, "node-two");
        var running = holder.RunAsync(h.ConnectionId, h.Sandbox.Tokens.Teacher, new SyncRequest(SyncType.Full, new SyncScope()));
        var run = await RunningAsync(h);

        await using (var db = h.Database.Context())
            Assert.Equal(CancelOutcome.Cancelled,
                await SyncControl.CancelAsync(db, elsewhere, TimeProvider.System, run, CancellationToken.None));
        var result = await running.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(SyncStatus.Cancelled, result.Status);
        await using (var db = h.Database.Context())
            Assert.Equal(SyncStatus.Cancelled, (await db.SyncRuns.AsNoTracking().SingleAsync()).Status);
    }

    /// <summary>Another node: its own engine, name and in-process runs over the same database and Canvas client.</summary>
    private static SyncEngine EngineNamed(SyncHarness h, string name, int leaseSeconds = 30) =>
        ActivatorUtilities.CreateInstance<SyncEngine>(h.Services,
            new NodeIdentity(Options.Create(new NodeOptions { Name = name }),
                Options.Create(new SyncOptions { LeaseSeconds = leaseSeconds })), new ActiveRuns());

    private static async Task<SyncRun> RunningAsync(SyncHarness h)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            await using (var db = h.Database.Context())
                if (await db.SyncRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Status == SyncStatus.Running && r.ItemsDone > 0) is { } run)
                    return run;
            await Task.Delay(20);
        }

        throw new TimeoutException("the sync did not start within a minute");
    }
}
