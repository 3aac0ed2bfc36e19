using System.Text.Json;
using CanvasSync.Sandbox;
using CanvasSync.Tests.Infrastructure;

namespace CanvasSync.Tests.Cli;

/// <summary>The real executable's `analyze`, one-shot against a sandbox Canvas over loopback, then from the database it left.</summary>
public sealed class AnalyzeCommandTests
{
    [Fact]
    public async Task One_shot_analyze_syncs_then_prints_json_and_tables_from_a_stored_connection()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        var db = "sqlite:" + Path.Combine(Path.GetTempPath(), $"cs-analyze-{Guid.NewGuid():N}.db");
        var env = new Dictionary<string, string>
        {
            ["CANVASSYNC__Canvas__AllowPrivateNetwork"] = "true",
            ["CANVASSYNC__Canvas__AllowHttp"] = "true"
        };

        var oneShot = await CliProcess.RunAsync(["analyze", "--canvas-url", sandbox.BaseUrl, "--token", sandbox.Tokens.Student, "--db", db,
            "--json"], env);
        Assert.True(oneShot.ExitCode == 0, oneShot.Stderr);
        using var report = JsonDocument.Parse(oneShot.Stdout);
        foreach (var key in new[] { "upcoming", "overdue", "grades", "workload" })
            Assert.Equal(JsonValueKind.Array, report.RootElement.GetProperty(key).ValueKind);
        Assert.NotEmpty(report.RootElement.GetProperty("grades").EnumerateArray());
        Assert.Equal(4, report.RootElement.GetProperty("workload").GetArrayLength());
        Assert.DoesNotContain(sandbox.Tokens.Student, oneShot.Stdout + oneShot.Stderr, StringComparison.Ordinal);

        // The database keeps the connection: analyze reads it again without Canvas.
        var stored = await CliProcess.RunAsync(["analyze", "--db", db], env);
        Assert.True(stored.ExitCode == 0, stored.Stderr);
        Assert.Contains("Due in the next 14 days", stored.Stdout, StringComparison.Ordinal);
        Assert.Contains("Workload of open work per week", stored.Stdout, StringComparison.Ordinal);

        var bad = await CliProcess.RunAsync(["analyze", "--db", db, "--days", "0"], env);
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("canvas-sync: --days must be between 1 and 365", bad.Stderr.Trim());
    }
}
