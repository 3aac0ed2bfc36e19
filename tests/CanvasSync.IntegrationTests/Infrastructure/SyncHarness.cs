using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Canvas;
using CanvasSync.Cluster;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using CanvasSync.Hosting;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.Control;
using CanvasSync.Sandbox.World;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CanvasSync.IntegrationTests.Infrastructure;

/// <summary>A sandbox Canvas, a fresh database of either kind, and the real sync engine between them.</summary>
internal sealed class SyncHarness : IAsyncDisposable
{
    public static readonly string[] Collections =
        ["courses", "terms", "assignment_groups", "assignments", "submissions", "enrollments", "group_categories", "groups",
            "group_memberships", "planner_items"];

    private readonly ServiceProvider _services;

    private SyncHarness(SandboxServer sandbox, TestDatabase database, long connectionId)
    {
        Sandbox = sandbox;
        Database = database;
        ConnectionId = connectionId;
        _services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddProvider(Logs))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(database.Target)
            .AddSingleton<IDbContextFactory<CanvasSyncDbContext>>(new CanvasSyncContexts(database.Target))
            .AddCanvasClient()
            .Configure<CanvasOptions>(o =>
            {
                o.AllowPrivateNetwork = true; // the sandbox is on loopback
                o.AllowHttp = true;
            })
            .AddSingleton<SyncEvents>()
            .AddSingleton<NodeIdentity>()
            .AddSingleton<ActiveRuns>()
            .AddSingleton<SyncEngine>()
            .AddSingleton<RunQueue>()
            .BuildServiceProvider();
    }

    public SandboxServer Sandbox { get; }
    public TestDatabase Database { get; }
    public long ConnectionId { get; }
    public HttpClient Http { get; } = new();
    /// <summary>The engine's warnings and errors.</summary>
    public LogCapture Logs { get; } = new();
    public SyncEngine Engine => _services.GetRequiredService<SyncEngine>();
    public RunQueue Queue => _services.GetRequiredService<RunQueue>();
    public IServiceProvider Services => _services;

    public static async Task<SyncHarness> StartAsync(string provider, PostgresServer postgres, SandboxOptions options)
    {
        var sandbox = await SandboxServer.StartAsync(options);
        var database = await TestDatabase.CreateAsync(provider, postgres);
        var connectionId = await OperatorConnections.EnsureAsync(new CanvasSyncContexts(database.Target), new Uri(sandbox.BaseUrl),
            TimeProvider.System, CancellationToken.None);
        return new SyncHarness(sandbox, database, connectionId);
    }

    /// <summary>A sandbox and a database, and a first full sync with the token <paramref name="token"/> picks.</summary>
    public static async Task<SyncHarness> SyncedAsync(string provider, PostgresServer postgres, Func<SandboxServer, string> token,
        SandboxProfile profile = SandboxProfile.Classroom)
    {
        var h = await StartAsync(provider, postgres, new SandboxOptions { Profile = profile });
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(token(h.Sandbox))).Status);
        return h;
    }

    public Task<SyncResult> SyncAsync(string token, SyncType type = SyncType.Full, IProgress<SyncProgress>? progress = null,
        CancellationToken ct = default) =>
        Engine.RunAsync(ConnectionId, token, new SyncRequest(type, new SyncScope()), progress, ct);

    public Task<SyncResult> SyncAsync(string token, SyncRequest request) => Engine.RunAsync(ConnectionId, token, request);

    /// <summary>Makes one kind of change in the sandbox (<see cref="SandboxChanges"/>), picked from the teacher's truth.</summary>
    public Task ChangeAsync(JsonElement truth, string change) => SandboxChanges.MakeAsync(Http, Sandbox.BaseUrl, truth, change);

    public Task<JsonElement> TruthAsync(string token) => MirrorTruth.TruthAsync(Http, Sandbox, token);

    /// <summary>Starts the sandbox's request counts afresh.</summary>
    public async Task ResetCanvasStatsAsync()
    {
        using var reset = await Http.PostAsync($"{Sandbox.BaseUrl}/_sandbox/stats/reset", null);
        reset.EnsureSuccessStatusCode();
    }

    /// <summary>The requests the sandbox served since the last reset, by endpoint (a route, e.g. /api/v1/courses/{courseId}/...).</summary>
    public async Task<Dictionary<string, long>> CanvasEndpointsAsync()
    {
        var stats = await Http.GetFromJsonAsync<JsonElement>($"{Sandbox.BaseUrl}/_sandbox/stats");
        return stats.GetProperty("by_endpoint").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
    }

    public async Task<JsonElement> MutateAsync(object body)
    {
        using var response = await Http.PostAsJsonAsync($"{Sandbox.BaseUrl}/_sandbox/mutate", body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public Task<Dictionary<string, string>> MirrorAsync(string table) => MirrorTruth.MirrorAsync(Database, ConnectionId, table);

    public static Dictionary<string, string> Truth(JsonElement truth, string collection) => MirrorTruth.Truth(truth, collection);

    /// <summary>Every collection of the mirror is exactly the truth: same keys, same JSON byte for byte.</summary>
    public Task AssertMirrorEqualsTruthAsync(JsonElement truth) => MirrorTruth.AssertEqualsAsync(Database, ConnectionId, truth);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _services.DisposeAsync();
        await Database.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
