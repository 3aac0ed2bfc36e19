using System.Diagnostics;
using System.Text.Json;
using CanvasSync.Sandbox.Tests.Infrastructure;
using CanvasSync.Tests.Infrastructure;

namespace CanvasSync.Tests.Cli;

/// <summary>The canvas-sync executable, run as a user runs it.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Version_prints_the_version()
    {
        var r = await CliProcess.RunAsync(["--version"]);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("0.1.0", r.Stdout.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        var r = await CliProcess.RunAsync(["--help"]);
        Assert.Equal(0, r.ExitCode);
        foreach (var command in new[] { "serve", "demo", "sandbox", "sync" }) Assert.Contains(command, r.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("sqlite:")]
    [InlineData("mysql://root:hunter2@localhost/db")]
    public async Task A_bad_database_stops_start_up_with_one_plain_line(string db)
    {
        var r = await CliProcess.RunAsync(["serve", "--db", db, "--urls", "http://127.0.0.1:0"]);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("canvas-sync: configuration error: Database:Connection", line, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_setting_from_the_environment_stops_start_up_with_its_name()
    {
        var r = await CliProcess.RunAsync(["serve", "--db", "sqlite:" + Path.Combine(Path.GetTempPath(), $"cs-{Guid.NewGuid():N}.db"),
            "--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { ["CANVASSYNC__Sync__ScheduleEveryMinutes"] = "0" });
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("ScheduleEveryMinutes", r.Stderr, StringComparison.Ordinal);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task One_shot_commands_validate_every_setting_as_serve_does()
    {
        var r = await CliProcess.RunAsync(["users", "list", "--db",
            "sqlite:" + Path.Combine(Path.GetTempPath(), $"cs-{Guid.NewGuid():N}.db")],
            new Dictionary<string, string> { ["CANVASSYNC__Canvas__RequestTimeoutSeconds"] = "0" });
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("canvas-sync: configuration error: Canvas:RequestTimeoutSeconds",
            Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--format csv", "--format csv needs --table tasks or --table grades")]
    [InlineData("--table tasks", "--table goes with --format csv")]
    [InlineData("--format csv --table secrets", "secrets")]
    public async Task Export_options_that_do_not_fit_are_one_line_and_exit_2(string options, string says)
    {
        var r = await CliProcess.RunAsync(["export", "--db", "sqlite:" + Path.Combine(Path.GetTempPath(), $"cs-{Guid.NewGuid():N}.db"),
            .. options.Split(' ')]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(says, Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--faults", "2")]
    [InlineData("--throttle-status", "500")]
    [InlineData("--profile", "nobody")]
    public async Task Bad_sandbox_options_are_one_line_and_exit_2(string option, string value)
    {
        var r = await CliProcess.RunAsync(["sandbox", option, value]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("canvas-sync: ", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_writes_a_ready_file_with_base_url_and_tokens_once_listening()
    {
        var ready = Path.Combine(Path.GetTempPath(), $"ready-{Guid.NewGuid():N}.json");
        using var process = Process.Start(CliProcess.StartInfo("sandbox", "--port", "0", "--profile", "campus", "--seed", "2",
            "--latency-ms", "5",
            "--cost-ms", "5", "--faults", "0", "--throttle", "canvas", "--throttle-status", "429", "--ready-file", ready))!;
        try
        {
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (!File.Exists(ready) && DateTime.UtcNow < deadline && !process.HasExited) await Task.Delay(50);
            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(ready));
            var baseUrl = doc.RootElement.GetProperty("base_url").GetString()!;
            var tokens = doc.RootElement.GetProperty("tokens");
            Assert.StartsWith("http://127.0.0.1:", baseUrl, StringComparison.Ordinal);
            Assert.Equal(40, tokens.GetProperty("campus").GetArrayLength());
            using var http = new HttpClient();
            var me = await http.GetJsonAsync($"{baseUrl}/api/v1/users/self", tokens.GetProperty("campus")[3].GetString());
            Assert.True(me.GetProperty("id").GetInt64() > 0);
            Assert.True((await http.GetJsonAsync($"{baseUrl}/api/v1/users/self",
                tokens.GetProperty("teacher").GetString())).GetProperty("id").GetInt64() > 0);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            File.Delete(ready);
        }
    }

    [Fact]
    public async Task Demo_starts_the_sandbox_and_canvassync_on_sqlite_and_prints_both()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"demo-{Guid.NewGuid():N}");
        try
        {
            var r = await CliProcess.RunAsync(["demo", "--once", "--urls", "http://127.0.0.1:0", "--sandbox-port", "0", "--dir", dir]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Matches(@"Sandbox Canvas : http://127\.0\.0\.1:\d+", r.Stdout);
            Assert.Matches(@"CanvasSync     : http://127\.0\.0\.1:\d+", r.Stdout);
            Assert.Contains("-> 200", r.Stdout, StringComparison.Ordinal);
            Assert.Matches(@"Sync           : run 1 completed \(full\) in [\d.]+ s: \d+ items read, \d+ rows changed \(.*\d+ assignments, .*\d+ submissions.*\); 40 requests", r.Stdout);
            Assert.DoesNotContain("info:", r.Stdout + r.Stderr,
                StringComparison.Ordinal); // the log is in the demo folder, not on the terminal
            Assert.Contains("Sync run 1 of connection 1 (Full) ended Completed",
                await File.ReadAllTextAsync(Path.Combine(dir, "canvas-sync.log")), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(dir, "demo.db")));
            Assert.True(File.Exists(Path.Combine(dir, "sandbox.json")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
