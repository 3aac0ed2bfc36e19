using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Canvas;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Hosting;
using CanvasSync.Sandbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CanvasSync.IntegrationTests.Infrastructure;

/// <summary>A sandbox Canvas, a fresh database of either kind, and the real sync engine between them.</summary>
public sealed class SyncHarness : IAsyncDisposable
{
    public static readonly string[] Collections =
        ["courses", "terms", "assignment_groups", "assignments", "submissions", "enrollments", "group_categories", "groups", "group_memberships", "planner_items"];

    private readonly ServiceProvider _services;

    private SyncHarness(SandboxServer sandbox, TestDatabase database, long connectionId)
    {
        Sandbox = sandbox;
        Database = database;
        ConnectionId = connectionId;
        _services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(database.Target)
            .AddCanvasClient()
            .Configure<CanvasOptions>(o =>
            {
                o.AllowPrivateNetwork = true; // the sandbox is on loopback
                o.AllowHttp = true;
            })
            .AddSingleton<SyncEngine>()
            .BuildServiceProvider();
    }

    public SandboxServer Sandbox { get; }
    public TestDatabase Database { get; }
    public long ConnectionId { get; }
    public HttpClient Http { get; } = new();
    public SyncEngine Engine => _services.GetRequiredService<SyncEngine>();

    public static async Task<SyncHarness> StartAsync(string provider, PostgresServer postgres, SandboxOptions options)
    {
        var sandbox = await SandboxServer.StartAsync(options);
        var database = await TestDatabase.CreateAsync(provider, postgres);
        var connectionId = await OperatorConnections.EnsureAsync(database.Target, new Uri(sandbox.BaseUrl), TimeProvider.System, CancellationToken.None);
        return new SyncHarness(sandbox, database, connectionId);
    }

    public Task<SyncResult> SyncAsync(string token, SyncType type = SyncType.Full, IProgress<SyncProgress>? progress = null, CancellationToken ct = default) =>
        Engine.RunAsync(ConnectionId, token, new SyncRequest(type, new SyncScope()), progress, ct);

    public async Task<JsonElement> TruthAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Sandbox.BaseUrl}/_sandbox/truth");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    public async Task<JsonElement> MutateAsync(object body)
    {
        using var response = await Http.PostAsJsonAsync($"{Sandbox.BaseUrl}/_sandbox/mutate", body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The live (not deleted) rows of one mirrored table, as the JSON Canvas served, by key.</summary>
    public async Task<Dictionary<string, string>> MirrorAsync(string table)
    {
        await using var db = Database.Context();
        // The table name comes from the fixed list above; the connection id is a parameter.
        var key = table == "planner_items" ? "plannable_type || ':' || CAST(canvas_id AS TEXT)" : "CAST(canvas_id AS TEXT)";
        var sql = "SELECT " + key + " AS \"Key\", raw_json AS \"Raw\" FROM " + table + " WHERE connection_id = {0} AND deleted_at IS NULL";
        var rows = await db.Database.SqlQueryRaw<KeyedRaw>(sql, ConnectionId).ToListAsync();
        return rows.ToDictionary(r => r.Key, r => r.Raw);
    }

    public static Dictionary<string, string> Truth(JsonElement truth, string collection) =>
        truth.GetProperty(collection).EnumerateArray().ToDictionary(
            i => collection == "planner_items" ? $"{i.GetProperty("plannable_type").GetString()}:{i.GetProperty("plannable_id").GetRawText()}" : i.GetProperty("id").GetRawText(),
            i => i.GetRawText());

    /// <summary>Every collection of the mirror is exactly the truth: same keys, same JSON byte for byte.</summary>
    public async Task AssertMirrorEqualsTruthAsync(JsonElement truth)
    {
        foreach (var collection in Collections)
        {
            if (!truth.TryGetProperty(collection, out _)) continue;
            var expected = Truth(truth, collection);
            var actual = await MirrorAsync(collection);
            var missing = expected.Keys.Except(actual.Keys).Take(3).ToList();
            var extra = actual.Keys.Except(expected.Keys).Take(3).ToList();
            var different = expected.Keys.Intersect(actual.Keys).Where(k => expected[k] != actual[k]).Take(3).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0 && different.Count == 0,
                $"{collection}: truth {expected.Count}, mirror {actual.Count}; missing [{string.Join(",", missing)}] extra [{string.Join(",", extra)}] different [{string.Join(",", different)}]");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _services.DisposeAsync();
        await Database.DisposeAsync();
        await Sandbox.DisposeAsync();
    }

    private sealed record KeyedRaw(string Key, string Raw);
}
