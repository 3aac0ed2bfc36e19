using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace CanvasSync.IntegrationTests.Cluster;

/// <summary>
/// Two real `canvas-sync serve` nodes on loopback sharing one PostgreSQL, against the sandbox's campus profile. Each
/// node has its own name, so a dead node's runs are freed by their lease lapsing (not by this host's process table).
/// </summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class TwoNodeTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Few requests in flight per token and some latency, so a teacher's sync lasts long enough to kill a node in it.</summary>
    private static readonly Dictionary<string, string> Slow = new() { ["Canvas:MaxInFlightPerToken"] = "2", ["Sync:Workers"] = "2" };

    private readonly string _masterKey = Path.Combine(Path.GetTempPath(), $"canvassync-master-{Guid.NewGuid():N}.key");
    private SandboxServer _sandbox = null!;
    private TestDatabase _database = null!;
    private readonly List<ServeProcess> _nodes = [];
    private readonly List<HttpClient> _clients = [];

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            Profile = SandboxProfile.Campus,
            CampusStudents = 40,
            CampusCourses = 6,
            LatencyMs = 40
        });
        _database = await TestDatabase.CreateAsync("postgres", postgres);
        // One after the other: the first creates the master key and migrates, the second finds both done.
        _nodes.Add(await ServeProcess.StartAsync("node-a", _database.Setting, _masterKey, settings: Slow));
        _nodes.Add(await ServeProcess.StartAsync("node-b", _database.Setting, _masterKey, settings: Slow));
    }

    [Fact]
    public async Task Syncs_spread_over_both_nodes_and_one_connection_never_runs_twice()
    {
        var students = _sandbox.Tokens.Campus.Take(8).ToList();
        var users = new List<(HttpClient[] Via, string Token)>();
        foreach (var (token, i) in students.Select((t, i) => (t, i)))
        {
            var key = await AddUserAsync($"student {i}");
            HttpClient[] via = [Client(_nodes[0], key), Client(_nodes[1], key)];
            var connected = await via[i % 2].PostAsJsonAsync("/api/v1/canvas/connect",
                new { canvas_url = _sandbox.BaseUrl, api_token = token });
            Assert.True(connected.IsSuccessStatusCode, await connected.Content.ReadAsStringAsync());
            users.Add((via, token));
        }

        // Each user asks both nodes at the same instant: one run each, whichever node answers.
        var runIds = new List<long>();
        foreach (var (via, _) in users)
        {
            var answers = await Task.WhenAll(via.Select(http => http.PostAsJsonAsync("/api/v1/canvas/sync", new { sync_type = "full" })));
            var ids = await Task.WhenAll(answers.Select(async a => (await ServiceHarness.JsonOf(a)).GetProperty("sync_id").GetInt64()));
            Assert.Single(ids.Distinct());
            runIds.Add(ids[0]);
        }

        var runs = await WaitForAsync(async db =>
        {
            var all = await db.SyncRuns.AsNoTracking().Where(r => runIds.Contains(r.Id)).ToListAsync();
            return all.All(r => r.Status == SyncStatus.Completed) ? all : null;
        }, TimeSpan.FromMinutes(3), "all eight syncs to complete");

        await using (var db = _database.Context())
            Assert.Equal(users.Count, await db.SyncRuns.CountAsync()); // no second run of any connection
        var byNode = runs.GroupBy(r => r.Node).ToDictionary(g => g.Key ?? "(none)", g => g.Count());
        output.WriteLine("runs per node: " + string.Join(", ", byNode.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.Equal(["node-a", "node-b"], byNode.Keys.Order());

        await using (var db = _database.Context())
            foreach (var (connectionId, token) in await db.Connections.AsNoTracking().OrderBy(c => c.Id).Select(c => c.Id)
                .ToListAsync() is var ids
                         ? ids.Zip(users.Select(u => u.Token)) : [])
                await MirrorTruth.AssertEqualsAsync(_database, connectionId,
                    await MirrorTruth.TruthAsync(Client(_nodes[0], null), _sandbox, token));
    }

    [Fact]
    public async Task A_node_killed_mid_sync_has_its_run_resumed_by_the_other_and_followed_there_to_the_end()
    {
        var key = await AddUserAsync("teacher");
        var teacherToken = _sandbox.Tokens.Teacher;
        var connected = await Client(_nodes[0], key)
            .PostAsJsonAsync("/api/v1/canvas/connect", new { canvas_url = _sandbox.BaseUrl, api_token = teacherToken });
        Assert.True(connected.IsSuccessStatusCode, await connected.Content.ReadAsStringAsync());
        var started = await Client(_nodes[0], key).PostAsJsonAsync("/api/v1/canvas/sync", new { sync_type = "full" });
        var runId = (await ServiceHarness.JsonOf(started)).GetProperty("sync_id").GetInt64();

        // Whichever node took the job holds the run's lease; the other follows its progress from there.
        var held = await WaitForAsync(async db => await db.SyncRuns.AsNoTracking()
            .FirstOrDefaultAsync(r => r.Id == runId && r.Status == SyncStatus.Running && r.LeaseOwner != null && r.ItemsDone > 0),
                TimeSpan.FromMinutes(1), "a node to start the sync");
        var victim = _nodes.Single(n => n.Name == held.LeaseOwner);
        var survivor = _nodes.Single(n => n != victim);
        output.WriteLine($"{victim.Name} runs sync {runId}; {survivor.Name} follows it");

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var events = new List<ServerEvent>();
        var relayed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var killedAt = new Stopwatch();
        TimeSpan? firstResumedEvent = null;
        var reading = Task.Run(async () =>
        {
            await foreach (var e in ServerEvents.ReadAsync(Client(survivor, key), runId, ct: timeout.Token))
            {
                lock (events) events.Add(e);
                relayed.TrySetResult();
                if (e.NumericId > SyncEvents.IdsPerAttempt) firstResumedEvent ??= killedAt.Elapsed;
            }
        });

        // Progress made on the victim reaches a client of the survivor before the kill.
        await Task.WhenAny(relayed.Task, reading, Task.Delay(TimeSpan.FromMinutes(1)));
        Assert.True(relayed.Task.IsCompleted, "no event of the victim's run reached the survivor");
        await using (var db = _database.Context())
            Assert.Equal(SyncStatus.Running, (await db.SyncRuns.AsNoTracking().SingleAsync(r => r.Id == runId)).Status);
        await victim.KillAsync();
        killedAt.Start();

        await reading;
        List<ServerEvent> seen;
        lock (events) seen = [.. events];
        var resumedAfter = killedAt.Elapsed;
        Assert.Equal("completed", seen[^1].Event);
        var ids = seen.Select(e => e.NumericId).ToList();
        Assert.Equal(ids.Order(), ids); // one rising sequence across both nodes, as Last-Event-ID needs
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Contains(ids, id => id < SyncEvents.IdsPerAttempt);  // the victim's attempt, relayed
        Assert.Contains(ids, id => id > SyncEvents.IdsPerAttempt);  // the survivor's, after the takeover
        Assert.Equal(100, seen[^1].Data.GetProperty("percent").GetDouble());

        await using (var db = _database.Context())
        {
            var run = await db.SyncRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
            Assert.Equal((SyncStatus.Completed, survivor.Name, 2, true, (string?)null),
                (run.Status, run.Node, run.Attempt, run.Resumed, run.LeaseOwner));
            Assert.Equal(1, await db.SyncRuns.CountAsync());
            output.WriteLine($"killed {victim.Name} at {held.Percent:0.#}%+; {survivor.Name} resumed it {firstResumedEvent?.TotalSeconds:0} s after the kill and completed it at {resumedAfter.TotalSeconds:0} s");
            var connectionId = run.ConnectionId;
            await MirrorTruth.AssertEqualsAsync(_database, connectionId,
                await MirrorTruth.TruthAsync(Client(survivor, null), _sandbox, teacherToken));
        }

        foreach (var node in _nodes) Assert.DoesNotContain(node.Output, line => line.Contains(teacherToken, StringComparison.Ordinal));
    }

    private async Task<string> AddUserAsync(string name)
    {
        await using var db = _database.Context();
        return (await UserDirectory.AddAsync(db, name, false, DateTime.UtcNow, CancellationToken.None)).ApiKey;
    }

    private HttpClient Client(ServeProcess node, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };
        if (apiKey is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _clients.Add(http);
        return http;
    }

    /// <summary>Polls the database until <paramref name="probe"/> answers, failing (not hanging) after <paramref name="limit"/>.</summary>
    private async Task<T> WaitForAsync<T>(Func<CanvasSyncDbContext, Task<T?>> probe, TimeSpan limit, string what) where T : class
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            await using (var db = _database.Context())
                if (await probe(db) is { } found) return found;
            await Task.Delay(100);
        }

        throw new TimeoutException($"waited {limit.TotalSeconds:0} s for {what}; node output:\n" + string.Join('\n',
            _nodes.SelectMany(n => n.Output.TakeLast(20))));
    }

    public async Task DisposeAsync()
    {
        foreach (var c in _clients) c.Dispose();
        foreach (var n in _nodes) await n.DisposeAsync();
        await _database.DisposeAsync();
        await _sandbox.DisposeAsync();
        File.Delete(_masterKey);
    }
}
