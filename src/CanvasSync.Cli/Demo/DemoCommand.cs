using System.CommandLine;
using System.Net.Http.Json;
using CanvasSync.Cli.Common;
using CanvasSync.Data;
using CanvasSync.Features.OAuth;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using CanvasSync.Hosting;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Cli.Demo;

/// <summary>`canvas-sync demo`: a sandbox Canvas and CanvasSync on SQLite, side by side, with nothing to install.</summary>
internal static class DemoCommand
{
    private const int DemoAccessTokenSeconds = 300;

    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where CanvasSync listens",
            DefaultValueFactory = _ => "http://127.0.0.1:5080"
        };
        var profile = new Option<SandboxProfile>("--profile") { Description = "Sandbox data: student | classroom | instructor | large | campus", DefaultValueFactory = _ => SandboxProfile.Student };
        var dir = new Option<DirectoryInfo>("--dir")
        {
            Description = "Where the demo keeps its files",
            DefaultValueFactory = _ => new DirectoryInfo("canvas-sync-demo")
        };
        var once = new Option<bool>("--once") { Description = "Start everything, check it answers, print, and stop (for scripts)" };
        // A fixed port keeps the sandbox's URL, and so the demo's connection, the same from one run to the next: a delta.
        var sandboxPort = new Option<int>("--sandbox-port")
        {
            Description = "Port of the sandbox Canvas (0 picks a free one)",
            DefaultValueFactory = _ => 5081
        };
        var command = new Command("demo", "Run the demo: a sandbox Canvas and CanvasSync on SQLite, and a sync between them") { urls,
            profile, dir, once, sandboxPort };
        command.SetAction(async (parse, ct) =>
        {
            var folder = parse.GetValue(dir)!;
            folder.Create();
            // Access tokens of five minutes: a demo that runs a while shows CanvasSync refreshing them.
            await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
            {
                Profile = parse.GetValue(profile),
                Port = parse.GetValue(sandboxPort),
                AccessTokenSeconds = DemoAccessTokenSeconds,
            }, ct);
            var tokensFile = Path.Combine(folder.FullName, "sandbox.json");
            await File.WriteAllTextAsync(tokensFile, sandbox.ReadyJson(), ct);

            var db = "sqlite:" + Path.Combine(folder.FullName, "demo.db");
            // The sandbox is on loopback over http, which a production CanvasSync refuses (SSRF guard); the demo allows it.
            // The terminal shows the demo's own screen; the service's log goes to a file beside the database (and to
            // stderr too with --verbose).
            var logFile = Path.Combine(folder.FullName, "canvas-sync.log");
            await using var app = CanvasSyncWebApp.Build(["--Canvas:AllowPrivateNetwork=true", "--Canvas:AllowHttp=true",
                $"--Security:MasterKeyFile={Path.Combine(folder.FullName, "canvas-sync.master.key")}"], db, parse.GetValue(urls), builder =>
                {
                    if (!CliRunner.IsVerbose) builder.Logging.ClearProviders();
                    builder.Logging.AddProvider(new FileLog(logFile));
                });
            await app.PrepareAsync(ct);
            await app.StartAsync(ct);
            var url = app.Urls.First();
            // The sandbox's developer key, as an operator adds a real one (canvas-sync instances add): Setup then offers Connect with
            // Canvas.
            using (var scope = app.Services.CreateScope())
                await scope.ServiceProvider.GetRequiredService<CanvasInstances>()
                    .AddAsync(sandbox.BaseUrl, "Sandbox Canvas", sandbox.DeveloperKey.ClientId,
                    sandbox.DeveloperKey.ClientSecret, url.TrimEnd('/') + "/oauth/callback", ct);

            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var ready = await http.GetAsync("/health/ready", ct);

            // The path a real user takes: a CanvasSync user with an API key connects their Canvas through the API
            // (the token is validated, then stored encrypted), and the sync reads the stored token.
            var apiKey = await DemoUser.NewKeyAsync(app.Services, ct);
            http.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
            var connect = await http.PostAsJsonAsync("/api/v1/canvas/connect",
                new { canvas_url = sandbox.BaseUrl, api_token = sandbox.Tokens.Student }, ct);
            if (connect.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // An earlier demo used a sandbox on another port: start this one's data afresh.
                (await http.DeleteAsync("/api/v1/canvas/disconnect?purge=true", ct)).EnsureSuccessStatusCode();
                connect.Dispose();
                connect = await http.PostAsJsonAsync("/api/v1/canvas/connect",
                    new { canvas_url = sandbox.BaseUrl, api_token = sandbox.Tokens.Student }, ct);
            }

            if (!connect.IsSuccessStatusCode)
                throw new IOException($"connecting the sandbox failed: {await connect.Content.ReadAsStringAsync(ct)}");
            connect.Dispose();
            // The sync runs as the service runs every sync: a background job with the stored token.
            var connectionId = await DemoUser.ConnectionIdAsync(app.Services, ct);
            var (runId, _) = await app.Services.GetRequiredService<SyncScheduler>()
                .EnqueueAsync(connectionId, new SyncRequest(SyncType.Delta, new SyncScope()), ct);
            var sync = await DemoUser.WaitForRunAsync(app.Services, runId, ct);
            var written = string.Join(", ",
                sync.Counts.Where(c => c.Created + c.Updated > 0).Select(c => $"{c.Created + c.Updated} {c.EntityType}"));
            Console.WriteLine($"""
                CanvasSync demo
                  Sandbox Canvas : {sandbox.BaseUrl}   (profile {parse.GetValue(profile).ToString().ToLowerInvariant()}; try {sandbox.BaseUrl}/api/v1/courses with a token)
                  Sandbox tokens : {tokensFile}
                  CanvasSync     : {url}   (database {db})
                  Health         : {url}/health/ready -> {(int)ready.StatusCode}
                  Dashboard      : {url}/   (Sign in with Canvas, as the sandbox's student; or with the API key {apiKey}: user "demo", an admin, a new key each run)
                  OAuth2         : Canvas setup > Connect with Canvas (the sandbox's developer key {sandbox.DeveloperKey.ClientId}; access tokens last {DemoAccessTokenSeconds} s and CanvasSync refreshes them)
                  Sync           : run {sync.Id} {SnakeCase.From(sync.Status.ToString())} ({SnakeCase.From(sync.Type.ToString())}) in {RunFigures.DurationSeconds(sync):0.0} s: {RunFigures.ItemsRead(sync)} items read, {RunFigures.RowsChanged(sync.Counts)} rows changed ({(written.Length == 0 ? "none" : written)}); {sync.Requests} requests
                  Export         : canvas-sync export --db {db}
                  Log            : {logFile}
                """);
            if (parse.GetValue(once)) return ready.IsSuccessStatusCode && sync.Status == SyncStatus.Completed ? 0 : CliRunner.Failure;

            Console.WriteLine("Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
