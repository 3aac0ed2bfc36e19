using System.CommandLine;

namespace CanvasSync.Bench;

/// <summary>canvas-sync-bench's commands: benchmarks that print figures (never pass/fail timings).</summary>
internal static class BenchCommand
{
    public static RootCommand Create()
    {
        var seconds = new Option<int>("--seconds") { Description = "How long to drive load", DefaultValueFactory = _ => 10 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight", DefaultValueFactory = _ => 8 };
        var sandbox = new Command("sandbox", "Requests/s the sandbox Canvas serves with 100-item pages at zero latency (it runs in a child process)")
        {
            seconds, concurrency,
        };
        sandbox.SetAction((parse, ct) => SandboxBench.RunAsync(parse.GetValue(seconds), parse.GetValue(concurrency), ct));
        var descriptions = new Command("descriptions",
            "What rendering one assignment description costs, ordinary and hostile (bounded renderer vs parser alone)");
        descriptions.SetAction(_ => DescriptionsBench.Run());
        return new RootCommand("canvas-sync-bench: benchmarks of CanvasSync that print figures; docs/benchmarks.md records them")
        {
            sandbox, Client(), Sync(), Deltas(), Api(), Metrics(), Nodes(), descriptions,
        };
    }

    private static Command Nodes()
    {
        var db = new Option<string>("--db") { Description = "An empty PostgreSQL database the nodes share", Required = true };
        var connections = new Option<int>("--connections")
        {
            DefaultValueFactory = _ => 1000,
            Description = "Campus students, each with a connection"
        };
        var nodes = new Option<int[]>("--nodes")
        {
            DefaultValueFactory = _ => [1, 2],
            Description = "Node counts to measure, in turn",
            AllowMultipleArgumentsPerToken = true
        };
        var workers = new Option<int>("--workers") { DefaultValueFactory = _ => 8, Description = "Sync:Workers of each node" };
        var latency = new Option<int>("--latency-ms") { DefaultValueFactory = _ => 50 };
        var cost = new Option<int>("--cost-ms") { DefaultValueFactory = _ => 20 };
        var restOnly = new Option<bool>("--rest-only") { Description = "The sandbox refuses GraphQL (404), so deltas read REST" };
        var command = new Command("nodes", "Delta syncs/s of many campus connections on one worker node, then on two, with the stalest connection's age")
        {
            db, connections, nodes, workers, latency, cost, restOnly,
        };
        command.SetAction((p, ct) =>
            NodesBench.RunAsync(new NodesBench.Settings(p.GetValue(db)!, p.GetValue(connections), p.GetValue(nodes)!, p.GetValue(workers),
            p.GetValue(latency), p.GetValue(cost), p.GetValue(restOnly)), ct));
        return command;
    }

    private static Command Sync()
    {
        var profile = new Option<string>("--profile")
        {
            DefaultValueFactory = _ => "instructor",
            Description = "Sandbox profile (teacher token)"
        };
        profile.AcceptOnlyFromAmong("student", "instructor", "large");
        var db = new Option<string?>("--db") { Description = "An empty database to sync into (default: a temporary SQLite file)" };
        var latency = new Option<int>("--latency-ms") { DefaultValueFactory = _ => 50 };
        var cost = new Option<int>("--cost-ms") { DefaultValueFactory = _ => 80 };
        var command = new Command("sync", "A full sync from a sandbox Canvas into a database, then a delta with nothing changed") { profile,
            db, latency, cost };
        command.SetAction((p, ct) => SyncBench.RunAsync(p.GetValue(profile)!, p.GetValue(db), p.GetValue(latency), p.GetValue(cost), ct));
        return command;
    }

    private static Command Deltas()
    {
        var profile = new Option<string>("--profile")
        {
            DefaultValueFactory = _ => "instructor",
            Description = "Sandbox profile (teacher token)"
        };
        profile.AcceptOnlyFromAmong("classroom", "student", "instructor", "large");
        var who = new Option<string>("--as") { DefaultValueFactory = _ => "teacher", Description = "Whose token: teacher or student" };
        who.AcceptOnlyFromAmong("teacher", "student");
        var graphql = new Option<bool>("--rest-only") { Description = "The sandbox refuses GraphQL (404), so deltas read REST" };
        var latency = new Option<int>("--latency-ms") { DefaultValueFactory = _ => 0 };
        var alone = new Option<bool>("--alone") { Description = "Each change on a fresh sandbox and mirror, so its delta sees it alone" };
        var command = new Command("deltas", "The requests of a delta after each kind of change Canvas makes, of a slow lane and of a reconcile")
        {
            profile, latency, who, graphql, alone,
        };
        command.SetAction((p, ct) =>
            DeltasBench.RunAsync(p.GetValue(profile)!, p.GetValue(latency), p.GetValue(who)!, p.GetValue(graphql), p.GetValue(alone), ct));
        return command;
    }

    private static Command Api()
    {
        var profile = new Option<string>("--profile")
        {
            DefaultValueFactory = _ => "instructor",
            Description = "Sandbox profile (teacher token)"
        };
        profile.AcceptOnlyFromAmong("student", "instructor", "large");
        var db = new Option<string?>("--db") { Description = "An empty database to serve from (default: a temporary SQLite file)" };
        var seconds = new Option<int>("--seconds") { DefaultValueFactory = _ => 15, Description = "How long wrk drives each endpoint" };
        var connections = new Option<int>("--connections") { DefaultValueFactory = _ => 16, Description = "wrk's open connections" };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 1, Description = "wrk's threads" };
        var paths = new Option<string[]>("--path")
        {
            Description = "More API paths to measure the same way (repeatable)",
            AllowMultipleArgumentsPerToken = false
        };
        var command = new Command("api", "Requests/s and latency of GET canvas/assignments?limit=50 beside a trivial endpoint, driven by wrk")
        {
            profile, db, seconds, connections, threads, paths,
        };
        command.SetAction((p, ct) =>
            ApiBench.RunAsync(new ApiBench.Settings(p.GetValue(profile)!, p.GetValue(db), p.GetValue(seconds), p.GetValue(connections),
            p.GetValue(threads), p.GetValue(paths) ?? []), ct));
        return command;
    }

    private static Command Metrics()
    {
        var db = new Option<string?>("--db") { Description = "An empty database to seed (default: a temporary SQLite file)" };
        var runs = new Option<int>("--runs") { DefaultValueFactory = _ => 100_000, Description = "Run records to seed, over 90 days" };
        var connections = new Option<int>("--connections")
        {
            DefaultValueFactory = _ => 1000,
            Description = "Users, each with a connection"
        };
        var repeat = new Option<int>("--repeat") { DefaultValueFactory = _ => 5, Description = "Timed calls per endpoint" };
        var command = new Command("metrics", "Latency of the metrics API and /metrics over a long history of runs") { db, runs, connections,
            repeat };
        command.SetAction((p, ct) =>
            MetricsBench.RunAsync(new MetricsBench.Settings(p.GetValue(db), p.GetValue(runs), p.GetValue(connections), p.GetValue(repeat)),
            ct));
        return command;
    }

    private static Command Client()
    {
        var profile = new Option<string>("--profile") { DefaultValueFactory = _ => "instructor", Description = "Sandbox profile" };
        profile.AcceptOnlyFromAmong("student", "instructor", "large", "campus");
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var latency = new Option<int>("--latency-ms") { DefaultValueFactory = _ => 50, Description = "Sandbox network latency" };
        var cost = new Option<int>("--cost-ms") { DefaultValueFactory = _ => 80, Description = "Sandbox server time per request" };
        var faults = new Option<double>("--faults") { Description = "Share of requests the sandbox fails" };
        var status = new Option<int>("--throttle-status") { DefaultValueFactory = _ => 403, Description = "403 or 429" };
        status.AcceptOnlyFromAmong("403", "429");
        var sequential = new Option<bool>("--sequential") { Description = "One request at a time, for comparison" };
        var who = new Option<string>("--as") { DefaultValueFactory = _ => "teacher", Description = "Whose token: teacher or student" };
        who.AcceptOnlyFromAmong("teacher", "student");
        var command = new Command("client", "Fetch everything a token can read from a sandbox Canvas and compare with the minimum and the ideal")
        {
            profile, seed, latency, cost, faults, status, sequential, who,
        };
        command.SetAction((p, ct) =>
            ClientBench.RunAsync(new ClientBench.Settings(p.GetValue(profile)!, p.GetValue(seed), p.GetValue(latency),
            p.GetValue(cost), p.GetValue(faults), p.GetValue(status), p.GetValue(sequential), p.GetValue(who)!), ct));
        return command;
    }
}
