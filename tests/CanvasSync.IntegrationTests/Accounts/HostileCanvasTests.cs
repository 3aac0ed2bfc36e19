using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Features.Accounts;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using Xunit.Abstractions;

namespace CanvasSync.IntegrationTests.Accounts;

/// <summary>
/// A user points canvas_url at a server they control. Whatever it answers (a gzip bomb, an endless body or endless
/// pages, JSON nested a million deep, one byte a second), a real serve node stays within a bounded memory, records the
/// answer as that sync's error, and another user's sync beside it completes equal to their Canvas.
/// </summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class HostileCanvasTests(PostgresServer postgres, ITestOutputHelper output)
{
    /// <summary>The bound docs/benchmarks.md states for a node under these answers (peak resident memory).</summary>
    private const long PeakBytesBound = 512L * 1024 * 1024;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_hostile_canvas_costs_bounded_memory_fails_its_own_sync_and_leaves_others_alone(string provider)
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        await using var hostile = await HostileCanvas.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        var masterKey = Path.Combine(Path.GetTempPath(), $"canvassync-master-{Guid.NewGuid():N}.key");
        await using var node = await ServeProcess.StartAsync("node", database.Setting, masterKey, settings: new Dictionary<string, string>
        {
            ["Canvas:RetryAttempts"] = "1",
            ["Canvas:RequestTimeoutSeconds"] = "4",
            ["Canvas:MaxPagesPerCollection"] = "200",
        });
        var alice = await UserAsync(database, node, "alice");
        var mallory = await UserAsync(database, node, "mallory");
        (await alice.PostAsJsonAsync("/api/v1/canvas/connect",
            new { canvas_url = sandbox.BaseUrl, api_token = sandbox.Tokens.Student })).EnsureSuccessStatusCode();
        (await mallory.PostAsJsonAsync("/api/v1/canvas/connect",
            new { canvas_url = hostile.BaseUrl, api_token = "7~mallory" })).EnsureSuccessStatusCode();
        var baseline = node.PeakResidentBytes();

        foreach (var answer in Enum.GetValues<HostileAnswer>())
        {
            hostile.Answer = answer;
            // Alice's full sync runs beside each hostile one.
            var hers = await StartSyncAsync(alice);
            var his = await StartSyncAsync(mallory);
            var hostileRun = await FinishedAsync(mallory, his);
            var aliceRun = await FinishedAsync(alice, hers);
            output.WriteLine($"{answer}: mallory's run {hostileRun.GetProperty("status")} ({hostileRun.GetProperty("error")}); alice's {aliceRun.GetProperty("status")}; " +
                             $"node peak {node.PeakResidentBytes() / (1 << 20)} MiB");
            Assert.NotEqual("completed", hostileRun.GetProperty("status").GetString());
            // Items that cannot be read are skipped, and the run says so: no silent success.
            if (answer == HostileAnswer.UnreadableItems)
                Assert.Contains("could not be read", hostileRun.GetProperty("error").GetProperty("message").GetString(),
                    StringComparison.Ordinal);
            Assert.Equal("completed", aliceRun.GetProperty("status").GetString());
            Assert.False(node.HasExited);
        }

        await using (var db = database.Context())
        {
            var aliceId = db.Users.Single(u => u.Name == "alice").Id;
            var connection = db.Connections.Single(c => c.UserId == aliceId).Id;
            await MirrorTruth.AssertEqualsAsync(database, connection,
                await MirrorTruth.TruthAsync(new HttpClient(), sandbox, sandbox.Tokens.Student));
        }

        var peak = node.PeakResidentBytes();
        output.WriteLine($"peak resident memory: {peak / (1 << 20)} MiB (after connecting: {baseline / (1 << 20)} MiB); bomb {HostileCanvas.BombSize} bytes");
        Assert.True(peak < PeakBytesBound, $"the node peaked at {peak / (1 << 20)} MiB");
        File.Delete(masterKey);
    }

    private static async Task<HttpClient> UserAsync(TestDatabase database, ServeProcess node, string name)
    {
        await using var db = database.Context();
        var issued = await UserDirectory.AddAsync(db, name, false, DateTime.UtcNow, CancellationToken.None);
        var http = new HttpClient { BaseAddress = node.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.ApiKey);
        return http;
    }

    private static async Task<long> StartSyncAsync(HttpClient http)
    {
        using var started = await http.PostAsJsonAsync("/api/v1/canvas/sync", new { sync_type = "full" });
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("sync_id").GetInt64();
    }

    private static async Task<JsonElement> FinishedAsync(HttpClient http, long id)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var run = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/canvas/sync/{id}")).RootElement.Clone();
            if (run.GetProperty("finished_at").ValueKind != JsonValueKind.Null) return run;
            Assert.True(DateTime.UtcNow < deadline, $"sync {id} still {run.GetProperty("status")} after 2 minutes");
            await Task.Delay(200);
        }
    }
}
