using System.CommandLine;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Cli.SandboxCanvas;

/// <summary>`canvas-sync sandbox`: a simulated Canvas on loopback for the demo, tests and benchmarks.</summary>
internal static class SandboxCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => 0 };
        var profile = new Option<SandboxProfile>("--profile")
        {
            Description = "student | classroom | instructor | large | campus",
            DefaultValueFactory = _ => SandboxProfile.Student
        };
        var seed = new Option<int>("--seed") { Description = "Seed for the data and the faults", DefaultValueFactory = _ => 1 };
        var latency = new Option<int>("--latency-ms") { Description = "Network latency per request" };
        var cost = new Option<int>("--cost-ms") { Description = "Server time per request (charged to the rate-limit bucket)" };
        var faults = new Option<double>("--faults") { Description = "Share of requests that fail (500/502/503/504, cut mid-body, slow), 0..1" };
        var throttle = new Option<string>("--throttle")
        {
            Description = "canvas (leaky bucket, Canvas's defaults) or off",
            DefaultValueFactory = _ => "canvas"
        };
        throttle.AcceptOnlyFromAmong("canvas", "off");
        var throttleStatus = new Option<int>("--throttle-status") { Description = "403 (Canvas source) or 429 (Instructure Cloud since 2025)", DefaultValueFactory = _ => 403 };
        throttleStatus.AcceptOnlyFromAmong("403", "429");
        var readyFile = new Option<FileInfo?>("--ready-file") { Description = "Write {base_url, tokens} here as JSON once listening" };
        var anchor = new Option<DateTime?>("--anchor-date") { Description = "Lay the data out around this day (default: today, UTC)" };
        var students = new Option<int>("--campus-students")
        {
            Description = "campus profile: students, each with a token",
            DefaultValueFactory = _ => 40
        };
        var courses = new Option<int>("--campus-courses") { Description = "campus profile: shared courses", DefaultValueFactory = _ => 6 };
        var tokenSeconds = new Option<int>("--access-token-seconds")
        {
            Description = "How long OAuth2 access tokens live (Canvas: 3600)",
            DefaultValueFactory = _ => 3600
        };
        // On the option, so it runs only when given (a command validator reads 0 for an option left out).
        tokenSeconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--access-token-seconds must be at least 1");
        });

        var command = new Command("sandbox", "Run a sandbox Canvas: Canvas's API, pagination, throttling and errors, on loopback")
        {
            port, profile, seed, latency, cost, faults, throttle, throttleStatus, readyFile, anchor, students, courses, tokenSeconds,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(faults) is < 0 or > 1) r.AddError("--faults must be between 0 and 1");
            if (r.GetValue(latency) < 0 || r.GetValue(cost) < 0) r.AddError("--latency-ms and --cost-ms cannot be negative");
        });
        command.SetAction(async (parse, ct) =>
        {
            await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
            {
                Port = parse.GetValue(port),
                Profile = parse.GetValue(profile),
                Seed = parse.GetValue(seed),
                LatencyMs = parse.GetValue(latency),
                CostMs = parse.GetValue(cost),
                FaultRate = parse.GetValue(faults),
                Throttle = parse.GetValue(throttle) == "canvas",
                ThrottleStatus = parse.GetValue(throttleStatus),
                AnchorDate = parse.GetValue(anchor),
                CampusStudents = parse.GetValue(students),
                CampusCourses = parse.GetValue(courses),
                AccessTokenSeconds = parse.GetValue(tokenSeconds),
            }, ct);
            var ready = parse.GetValue(readyFile);
            if (ready is not null)
            {
                // Write then rename, so a watcher never reads half a file.
                var tmp = ready.FullName + ".tmp";
                await File.WriteAllTextAsync(tmp, sandbox.ReadyJson(), ct);
                File.Move(tmp, ready.FullName, overwrite: true);
            }

            Console.WriteLine($"Sandbox Canvas ({parse.GetValue(profile).ToString().ToLowerInvariant()}) listening on {sandbox.BaseUrl}");
            Console.WriteLine(ready is null ? sandbox.ReadyJson() : $"Base URL and sandbox tokens written to {ready.FullName}");
            await sandbox.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
