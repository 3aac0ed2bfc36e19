using System.Diagnostics;
using System.Net;
using System.Text.Json;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;
using CanvasSync.Tests.Infrastructure;

namespace CanvasSync.Tests.Cli;

/// <summary>
/// What a new user trips on in the first hour, through the real executable: every failure one plain line with the
/// API's code and nothing stored, misspellings named, no empty databases made, and Ctrl+C that keeps a long sync.
/// </summary>
public sealed class FirstHourCliTests
{
    [Fact]
    public async Task A_sync_that_cannot_start_says_why_in_one_line_with_the_apis_code_and_stores_nothing()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        using var notCanvas = NotCanvasServer(out var notCanvasUrl);
        var dir = Directory.CreateTempSubdirectory("cs-firsthour-").FullName;
        var db = Path.Combine(dir, "canvas-sync.db");
        string[] Sync(string url, string token, params string[] more) =>
            ["sync", "--canvas-url", url, "--token", token, "--db", "sqlite:" + db, .. more];
        try
        {
            (string[] Args, string Code)[] failures =
            [
                (Sync("http://127.0.0.1:9", sandbox.Tokens.Student), "unreachable"),
                (Sync("not-a-url", sandbox.Tokens.Student), "not_a_url"),
                (Sync("https://no-such-host.invalid", sandbox.Tokens.Student), "unknown_host"),
                (Sync(notCanvasUrl, sandbox.Tokens.Student), "not_canvas"),
                (Sync(sandbox.BaseUrl, "7~not-a-real-token"), "token_invalid"),
                (Sync(sandbox.BaseUrl, sandbox.Tokens.Expired), "token_expired"),
                (Sync(sandbox.BaseUrl, sandbox.Tokens.Revoked), "token_revoked"),
            ];
            foreach (var (args, code) in failures)
            {
                var r = await CliProcess.RunAsync(args, timeout: TimeSpan.FromSeconds(60));
                Assert.True(r.ExitCode == 1, $"{args[2]}: exit {r.ExitCode} {r.Stderr}");
                Assert.Equal("", r.Stdout);
                var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Assert.StartsWith("canvas-sync: ", line, StringComparison.Ordinal);
                Assert.EndsWith($"[{code}]", line, StringComparison.Ordinal);
                Assert.DoesNotContain(sandbox.Tokens.Student, line, StringComparison.Ordinal);
            }

            // Canvas accepted no token, so nothing was stored: not a connection, not even an empty database.
            Assert.Empty(Directory.GetFiles(dir));

            // The good token then makes the one connection, and analyze does not ask which.
            var good = await CliProcess.RunAsync(Sync(sandbox.BaseUrl, sandbox.Tokens.Student, "--json"));
            Assert.True(good.ExitCode == 0, good.Stderr);
            Assert.Equal("", good.Stderr);
            using (var summary = JsonDocument.Parse(good.Stdout))
                Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("error").ValueKind);
            var analyze = await CliProcess.RunAsync(["analyze", "--db", "sqlite:" + db, "--json"]);
            Assert.True(analyze.ExitCode == 0, analyze.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "synk" }, "canvas-sync: unknown command 'synk'; did you mean 'sync'? (canvas-sync --help lists them)")]
    [InlineData(new[] { "exprot" }, "canvas-sync: unknown command 'exprot'; did you mean 'export'? (canvas-sync --help lists them)")]
    [InlineData(new[] { "sync", "--canvas-ur", "https://canvas.example.edu" },
        "canvas-sync: unknown option '--canvas-ur'; did you mean '--canvas-url'? (canvas-sync sync --help lists them)")]
    [InlineData(new[] { "users", "lst" }, "canvas-sync: unknown command 'lst'; did you mean 'list'? (canvas-sync users --help lists them)")]
    [InlineData(new string[0],
        "canvas-sync: which command? serve, demo, sandbox, sync, export, analyze, users, keys, instances (canvas-sync --help says what each does)")]
    public async Task A_misspelt_or_missing_command_names_the_nearest_one(string[] args, string says)
    {
        var r = await CliProcess.RunAsync(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(says, r.Stderr.Trim());
    }

    [Theory]
    [InlineData("export")]
    [InlineData("analyze")]
    public async Task Reading_commands_refuse_a_database_that_is_not_there_instead_of_making_an_empty_one(string command)
    {
        var missing = Path.Combine(Path.GetTempPath(), $"cs-missing-{Guid.NewGuid():N}", "canvas-sync.db");
        var r = await CliProcess.RunAsync([command, "--db", "sqlite:" + missing]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"canvas-sync: there is no database at {missing}; check --db (canvas-sync sync makes one)", r.Stderr.Trim());
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task Ctrl_c_keeps_a_long_sync_and_the_next_sync_resumes_it()
    {
        // Slow answers and many courses: a full sync the signal is sure to land in.
        await using var sandbox =
            await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Instructor, LatencyMs = 150 });
        var dir = Directory.CreateTempSubdirectory("cs-ctrlc-").FullName;
        string[] Sync(params string[] more) =>
            ["sync", "--canvas-url", sandbox.BaseUrl, "--token", sandbox.Tokens.Teacher, "--db", "sqlite:" + Path.Combine(dir, "c.db"),
            .. more];
        try
        {
            var info = CliProcess.StartInfo(Sync());
            // Ctrl+C at a terminal reaches a process whose SIGINT is at its default. A test runner started in the
            // background (as CI starts it) hands SIGINT down ignored, and .NET keeps it ignored: env resets it, as the
            // shell at a terminal does.
            info.ArgumentList.Insert(0, info.FileName);
            info.ArgumentList.Insert(0, "--default-signal=INT");
            info.FileName = "env";
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var http = new HttpClient();
            while (JsonDocument.Parse(await http.GetStringAsync($"{sandbox.BaseUrl}/_sandbox/stats")).RootElement.GetProperty("requests")
                .GetInt64() < 30)
                await Task.Delay(50);
            using (var kill = Process.Start("kill",
                ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) // as Ctrl+C sends it
                await kill.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(130, process.ExitCode);
            Assert.StartsWith("Run 1: interrupted (full)", await stdout, StringComparison.Ordinal);
            Assert.Equal("canvas-sync: interrupted: run 1 keeps what it fetched; run the same command again to resume it (--force-restart starts over)",
                (await stderr).Trim());

            var again = await CliProcess.RunAsync(Sync("--json"));
            Assert.True(again.ExitCode == 0, again.Stderr);
            using var summary = JsonDocument.Parse(again.Stdout);
            Assert.Equal((1, "completed", true),
                (summary.RootElement.GetProperty("run_id").GetInt32(), summary.RootElement.GetProperty("status").GetString(),
                summary.RootElement.GetProperty("resumed").GetBoolean()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A web server that answers every request with a page, as a university's home page would.</summary>
    private static HttpListener NotCanvasServer(out string url)
    {
        var port = System.Net.Sockets.TcpListener.Create(0) is var probe && Start(probe) is var p ? p : 0;
        url = $"http://127.0.0.1:{port}";
        var listener = new HttpListener();
        listener.Prefixes.Add(url + "/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                var context = await listener.GetContextAsync();
                context.Response.ContentType = "text/html";
                await context.Response.OutputStream.WriteAsync("<html><body>Welcome</body></html>"u8.ToArray());
                context.Response.Close();
            }
        });
        return listener;

        static int Start(System.Net.Sockets.TcpListener l)
        {
            l.Start();
            var free = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return free;
        }
    }
}
