using System.Text.Json;
using CanvasSync.Sandbox;
using CanvasSync.Tests.Infrastructure;

namespace CanvasSync.Tests.Cli;

/// <summary>The real executable's `sync` into one database with two people's tokens for the same Canvas.</summary>
public sealed class SyncCommandTests
{
    [Fact]
    public async Task A_second_persons_token_never_mixes_their_data_into_the_first_persons_connection()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        var file = Path.Combine(Path.GetTempPath(), $"cs-sync-{Guid.NewGuid():N}.db");
        var env = new Dictionary<string, string>
        {
            ["CANVASSYNC__Canvas__AllowPrivateNetwork"] = "true",
            ["CANVASSYNC__Canvas__AllowHttp"] = "true"
        };
        string[] Sync(string token) => ["sync", "--canvas-url", sandbox.BaseUrl, "--token", token, "--db", "sqlite:" + file, "--json"];

        var student = await CliProcess.RunAsync(Sync(sandbox.Tokens.Student), env);
        Assert.True(student.ExitCode == 0, student.Stderr);
        var before = await CliProcess.RunAsync(["export", "--db", "sqlite:" + file, "--format", "json"], env);
        Assert.True(before.ExitCode == 0, before.Stderr);

        var teacher = await CliProcess.RunAsync(Sync(sandbox.Tokens.Teacher), env);
        Assert.NotEqual(0, teacher.ExitCode);
        using var summary = JsonDocument.Parse(teacher.Stdout);
        Assert.Equal("failed", summary.RootElement.GetProperty("status").GetString());
        Assert.Contains("holds Canvas user", summary.RootElement.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        // The student's mirror is as it was: nothing of the teacher's was written.
        var after = await CliProcess.RunAsync(["export", "--db", "sqlite:" + file, "--format", "json"], env);
        Assert.Equal(Mirror(before.Stdout), Mirror(after.Stdout));

        // The student's own token still syncs.
        Assert.Equal(0, (await CliProcess.RunAsync(Sync(sandbox.Tokens.Student), env)).ExitCode);
        foreach (var f in Directory.GetFiles(Path.GetDirectoryName(file)!, Path.GetFileName(file) + "*")) File.Delete(f);
    }

    [Fact]
    public async Task A_reconcile_after_a_full_sync_reports_no_drift_and_a_slow_lane_is_only_for_a_delta()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        var file = Path.Combine(Path.GetTempPath(), $"cs-reconcile-{Guid.NewGuid():N}.db");
        var env = new Dictionary<string, string>
        {
            ["CANVASSYNC__Canvas__AllowPrivateNetwork"] = "true",
            ["CANVASSYNC__Canvas__AllowHttp"] = "true"
        };
        string[] Sync(params string[] more) =>
            ["sync", "--canvas-url", sandbox.BaseUrl, "--token", sandbox.Tokens.Student, "--db", "sqlite:" + file, .. more];
        try
        {
            Assert.Equal(0, (await CliProcess.RunAsync(Sync("--json"), env)).ExitCode);
            var reconcile = await CliProcess.RunAsync(Sync("--type", "reconcile", "--json"), env);
            Assert.True(reconcile.ExitCode == 0, reconcile.Stderr);
            using var summary = JsonDocument.Parse(reconcile.Stdout);
            Assert.Equal(("completed", "reconcile", 0),
                (summary.RootElement.GetProperty("status").GetString(), summary.RootElement.GetProperty("type").GetString(),
                summary.RootElement.GetProperty("drift").GetArrayLength()));

            var refused = await CliProcess.RunAsync(Sync("--type", "full", "--slow-lane"), env);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Equal("canvas-sync: --slow-lane is for --type delta: a full sync or a reconcile re-reads everything anyway",
                refused.Stderr.Trim());
        }
        finally
        {
            foreach (var f in Directory.GetFiles(Path.GetDirectoryName(file)!, Path.GetFileName(file) + "*")) File.Delete(f);
        }
    }

    /// <summary>The export without its moment of making.</summary>
    private static string Mirror(string export)
    {
        using var doc = JsonDocument.Parse(export);
        return string.Join('\n',
            doc.RootElement.EnumerateObject().Where(p => p.Name is not ("exported_at" or "generated_at"))
            .Select(p => p.Name + "=" + p.Value.GetRawText()));
    }

    [Fact]
    public async Task A_canvas_url_whose_host_is_longer_than_dns_allows_is_one_plain_line_not_a_stack_trace()
    {
        var db = "sqlite:" + Path.Combine(Path.GetTempPath(), $"cs-instances-{Guid.NewGuid():N}.db");
        var secret = Path.GetTempFileName();
        await File.WriteAllTextAsync(secret, "a-client-secret");
        var host = string.Join('.', Enumerable.Repeat(new string('a', 60), 5)) + ".example.edu";
        var result = await CliProcess.RunAsync(["instances", "add", "https://" + host, "--client-id", "1", "--redirect-uri",
            "https://app.example/cb",
            "--client-secret-file", secret, "--db", db, "--master-key", Path.Combine(Path.GetTempPath(), $"cs-{Guid.NewGuid():N}.key")]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("canvas-sync: canvas_url: canvas_url's host name is longer than DNS allows (253 characters, 63 between dots)",
            result.Stderr.Trim().Split('\n')[^1]);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        File.Delete(secret);
    }
}
