using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using CanvasSync.Cli.Common;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Sandbox.Control;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CanvasSync.Bench;

/// <summary>
/// What keeping a teacher's or a student's mirror exact costs (issues #21, #22): a full sync, a delta with nothing
/// changed, then one delta after each kind of change Canvas makes (docs/canvas.md §6), a slow lane, and a reconcile of
/// the whole. Each line is the delta's requests (against the full sync's), the Canvas time they cost (the sandbox's
/// X-Request-Cost, summed), the rows it wrote and what it read; the reconcile's drift must be zero. --rest-only: a
/// Canvas without GraphQL.
/// <para>
/// The changes come seconds apart, so each delta also looks at the change before it: a delta looks 5 minutes back past
/// the last sync (RunStart.DeltaOverlap), which deltas minutes apart do not share. --alone measures each change on a
/// sandbox and mirror of its own instead (a full sync, the change, the delta, a reconcile that must find no drift).
/// </para>
/// </summary>
internal static class DeltasBench
{
    public static async Task<int> RunAsync(string profile, int latencyMs, string who, bool restOnly, bool alone, CancellationToken ct)
    {
        if (alone) return await AloneAsync(profile, latencyMs, who, restOnly, ct);
        await using var m = await BenchMirror.StartAsync(profile, latencyMs, who, restOnly, ct);
        var full = await m.RunAsync(SyncType.Full);
        var ok = full.Status == SyncStatus.Completed;
        Header(profile, latencyMs, who, restOnly, $"full sync {full.Requests} requests");
        void Line(string what, Measure measure) => ok &= measure.Print(what, full.Requests);

        Line("(nothing changed)", await m.MeasuredAsync(SyncType.Delta));
        Line("reconcile, nothing changed", await m.MeasuredAsync(SyncType.Reconcile));
        // The bulk change goes last: in the 5 minutes a delta looks back, its 80,000 rows would be in the window of every
        // delta after it.
        foreach (var change in SandboxChanges.SeenByDelta.OrderBy(c => c == "create_many"))
        {
            await m.ChangeAsync(change);
            Line(change, await m.MeasuredAsync(SyncType.Delta));
        }

        Line("slow lane, no change", await m.MeasuredAsync(SyncType.Delta, slowLane: true));
        foreach (var change in SandboxChanges.SeenBySlowLane)
        {
            await m.ChangeAsync(change);
            Line(change + " (slow lane)", await m.MeasuredAsync(SyncType.Delta, slowLane: true));
        }

        var reconcile = await m.MeasuredAsync(SyncType.Reconcile);
        Line("reconcile after them all", reconcile); // Canvas holds 400 more assignments now (create_many)
        var drift = reconcile.Result.Drift;
        Console.WriteLine($"  reconcile drift: {Drift(drift)}");
        return ok && drift.Count == 0 ? 0 : 1;
    }

    /// <summary>Each change on a sandbox and mirror of its own: the delta sees that change and nothing else.</summary>
    private static async Task<int> AloneAsync(string profile, int latencyMs, string who, bool restOnly, CancellationToken ct)
    {
        Header(profile, latencyMs, who, restOnly, "each change alone, on a fresh sandbox and mirror");
        var ok = true;
        var changes = SandboxChanges.SeenByDelta.Select(c => (c, false)).Concat(SandboxChanges.SeenBySlowLane.Select(c => (c, true)));
        foreach (var (change, slowLane) in changes)
        {
            await using var m = await BenchMirror.StartAsync(profile, latencyMs, who, restOnly, ct);
            var full = await m.RunAsync(SyncType.Full);
            await m.ChangeAsync(change);
            ok &= full.Status == SyncStatus.Completed & (await m.MeasuredAsync(SyncType.Delta, slowLane))
                .Print(change + (slowLane ? " (slow lane)" : ""), full.Requests);
            var reconcile = await m.RunAsync(SyncType.Reconcile);
            ok &= reconcile.Status == SyncStatus.Completed && reconcile.Drift.Count == 0;
            if (reconcile.Drift.Count > 0) Console.WriteLine($"  {"",-28} reconcile drift: {Drift(reconcile.Drift)}");
        }

        Console.WriteLine($"  reconcile after each change: {(ok ? "no drift" : "see above")}");
        return ok ? 0 : 1;
    }

    private static void Header(string profile, int latencyMs, string who, bool restOnly, string what)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench deltas: {profile} profile as {who} into SQLite, sandbox latency {latencyMs} ms, Canvas throttle, GraphQL {(restOnly ? "refused (404)" : "served")}; {what}"));
        Console.WriteLine($"  {"change",-28} {"requests",8} {"% of full",9} {"Canvas ms",9} {"rows written",12}  what was read");
    }

    private static string Drift(IReadOnlyCollection<SyncRunDrift> drift) =>
        drift.Count == 0 ? "none" : string.Join(", ", drift.Select(d => $"{d.EntityType}.{d.Field} x{d.RowCount}"));
}

/// <summary>One delta's figures: its result, the Canvas time it cost, and the endpoints it asked.</summary>
internal sealed record Measure(SyncResult Result, double CanvasSeconds, string Reads)
{
    /// <summary>Prints the line; whether the run completed.</summary>
    public bool Print(string what, long fullRequests)
    {
        var r = Result;
        var written = r.Counts.Where(c => c.Key is not ("tasks" or "teams")).Sum(c => c.Value.Created + c.Value.Updated + c.Value.Deleted);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what,-28} {r.Requests,8} {100.0 * r.Requests / fullRequests,8:F1}% {1000 * CanvasSeconds,9:F1} {written,12}  {(r.Requests <= 20 ? Reads : "")}{(r.Status == SyncStatus.Completed ? "" : "  " + r.Status)}"));
        return r.Status == SyncStatus.Completed;
    }
}

/// <summary>A sandbox Canvas (a child process, the Canvas throttle on) and a SQLite mirror of one token's view of it.</summary>
internal sealed class BenchMirror : IAsyncDisposable
{
    private readonly ChildSandbox _sandbox;
    private readonly IHost _host;
    private readonly string _sqliteFile;
    private readonly HttpClient _http = new();
    private readonly long _connectionId;
    private readonly string _token;
    private readonly string _teacher;
    private readonly CancellationToken _ct;

    private BenchMirror(ChildSandbox sandbox, IHost host, string sqliteFile, long connectionId, string token, CancellationToken ct)
    {
        (_sandbox, _host, _sqliteFile, _connectionId, _token, _ct) = (sandbox, host, sqliteFile, connectionId, token, ct);
        _teacher = sandbox.Tokens.GetProperty("teacher").GetString()!;
    }

    public static async Task<BenchMirror> StartAsync(string profile, int latencyMs, string who, bool restOnly, CancellationToken ct)
    {
        var sqliteFile = Path.Combine(Path.GetTempPath(), $"canvas-sync-bench-{Guid.NewGuid():N}.db");
        var sandbox = await ChildSandbox.StartAsync(
            ["--profile", profile, "--latency-ms", latencyMs.ToString(CultureInfo.InvariantCulture), "--throttle", "canvas"], ct);
        var host = await CliServices.StartAsync("sqlite:" + sqliteFile, ct);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<CanvasSyncDbContext>>();
        var connectionId = await OperatorConnections.EnsureAsync(contexts, new Uri(sandbox.BaseUrl), TimeProvider.System, ct);
        var mirror = new BenchMirror(sandbox, host, sqliteFile, connectionId, sandbox.Tokens.GetProperty(who).GetString()!, ct);
        if (restOnly) await mirror.PostAsync("/_sandbox/settings", """{"graphql":"not_found"}""");
        return mirror;
    }

    public Task<SyncResult> RunAsync(SyncType type, bool slowLane = false) => _host.Services.GetRequiredService<SyncEngine>()
        .RunAsync(_connectionId, _token, new SyncRequest(type, new SyncScope(), SlowLane: slowLane), cancellationToken: _ct);

    public async Task<Measure> MeasuredAsync(SyncType type, bool slowLane = false)
    {
        await PostAsync("/_sandbox/stats/reset", "{}");
        var result = await RunAsync(type, slowLane);
        using var stats = JsonDocument.Parse(await _http.GetStringAsync(_sandbox.BaseUrl + "/_sandbox/stats", _ct));
        return new Measure(result, stats.RootElement.GetProperty("cost_seconds").GetDouble(), Reads(stats.RootElement.GetProperty("by_endpoint")));
    }

    /// <summary>Makes one of <see cref="SandboxChanges"/>' changes, on the records the teacher sees.</summary>
    public async Task ChangeAsync(string change)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _sandbox.BaseUrl + "/_sandbox/truth");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _teacher);
        using var response = await _http.SendAsync(request, _ct);
        response.EnsureSuccessStatusCode();
        using var truth = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_ct));
        await SandboxChanges.MakeAsync(_http, _sandbox.BaseUrl, truth.RootElement, change);
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        _http.Dispose();
        await _sandbox.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _sqliteFile, _sqliteFile + "-wal", _sqliteFile + "-shm" }) File.Delete(f);
    }

    /// <summary>The endpoints a delta asked, shortest form first ("graphql, courses, assignments x2, planner/items").</summary>
    private static string Reads(JsonElement byEndpoint) => string.Join(", ", byEndpoint.EnumerateObject()
        .Where(e => e.Value.GetInt64() > 0)
        .Select(e => e.Name.Replace("/api/v1/", "", StringComparison.Ordinal).Replace("/api/", "", StringComparison.Ordinal)
            .Replace("courses/{courseId}/", "", StringComparison.Ordinal) + (e.Value.GetInt64() > 1 ? $" x{e.Value.GetInt64()}" : "")));

    private async Task PostAsync(string path, string json)
    {
        using var response = await _http.PostAsync(_sandbox.BaseUrl + path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), _ct);
        response.EnsureSuccessStatusCode();
    }
}
