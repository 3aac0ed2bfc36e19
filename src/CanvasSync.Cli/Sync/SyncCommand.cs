using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CanvasSync.Cli.Common;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Cli.Sync;

/// <summary>
/// `canvas-sync sync`: one sync in the foreground. Nothing is stored until Canvas has accepted the URL and token.
/// Started again after Ctrl+C or a crash, it resumes the unfinished run.
/// </summary>
internal static class SyncCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--canvas-url") { Description = "Canvas base URL, e.g. https://canvas.example.edu", Required = true };
        var token = new Option<string?>("--token") { Description = "Canvas API token (or env CANVASSYNC_CANVAS_TOKEN); used for this run only, never stored" };
        var db = CommonOptions.Db();
        var type = new Option<string>("--type")
        {
            Description = "full, delta, or reconcile (re-read everything and report drift); a delta or reconcile with no earlier full sync runs as full",
            DefaultValueFactory = _ => "full",
        };
        type.AcceptOnlyFromAmong("full", "delta", "reconcile");
        var slowLane = new Option<bool>("--slow-lane") { Description = "A delta that also re-reads what no delta filter shows (memberships, overridden due dates)" };
        var courses = new Option<long[]>("--course")
        {
            Description = "Only these course ids (repeatable)",
            AllowMultipleArgumentsPerToken = false
        };
        var term = new Option<long?>("--term") { Description = "Only courses of this term id" };
        var force = new Option<bool>("--force-restart") { Description = "Abandon an unfinished run of this connection and start over" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Preview: walk Canvas and report what would be created, updated and deleted; write nothing" };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary on stdout" };
        var command = new Command("sync", "Sync a Canvas account into the database now (full or delta), resuming an interrupted run")
        {
            url, token, db, type, slowLane, courses, term, force, dryRun, json,
        };
        command.SetAction(async (p, ct) =>
        {
            var secret = p.GetValue(token) ?? Environment.GetEnvironmentVariable("CANVASSYNC_CANVAS_TOKEN");
            if (string.IsNullOrWhiteSpace(secret))
                throw new FormatException("a Canvas token is needed: --token or env CANVASSYNC_CANVAS_TOKEN");
            CanvasIdentity? identity = null;
            using var host = await CliServices.StartAsync(p.GetValue(db), ct,
                beforeDatabase: async services => identity =
                    await ChosenConnection.ValidateAsync(services, p.GetValue(url)!, secret, ct)); // required
            var connectionId = await ChosenConnection.OfCanvasAsync(host.Services, identity!, ct);
            var syncType = p.GetValue(type) switch { "delta" => SyncType.Delta, "reconcile" => SyncType.Reconcile, _ => SyncType.Full };
            if (p.GetValue(slowLane) && syncType != SyncType.Delta)
                throw new FormatException("--slow-lane is for --type delta: a full sync or a reconcile re-reads everything anyway");
            var request = new SyncRequest(syncType,
                new SyncScope(p.GetValue(term), p.GetValue(courses) is { Length: > 0 } ids ? ids : null), p.GetValue(force),
                p.GetValue(dryRun), p.GetValue(slowLane));

            var quiet = p.GetValue(json) || Console.IsOutputRedirected;
            var progress = quiet ? null : new Progress<SyncProgress>(x =>
                Console.Write(string.Create(CultureInfo.InvariantCulture, $"\r{x.Percent,5:0.0}%  {x.Phase,-18} {x.ItemsDone,9} items  {x.Requests,6} requests  {x.Throttled} throttled  {x.Retries} retried  {(x.EtaSeconds is { } eta ? $"eta {eta:0} s" : "")}   ")));
            // Ctrl+C interrupts, as a shutdown does: the run keeps what it fetched and the next start resumes it. A dry
            // run has nothing to resume (it writes nothing), so Ctrl+C cancels it.
            var (cancel, interrupt) = request.DryRun ? (ct, CancellationToken.None) : (CancellationToken.None, ct);
            SyncResult result;
            try
            {
                result = await host.Services.GetRequiredService<SyncEngine>()
                    .RunAsync(connectionId, secret, request, progress, cancel, interrupt);
            }
            catch (SyncAlreadyRunningException e)
            {
                return await CliRunner.FailAsync($"{e.Message}; wait for it, or stop it first", e);
            }

            if (!quiet) Console.WriteLine();
            if (p.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(Summary(result)));
            else PrintSummary(result);
            if (result.Status == SyncStatus.Completed) return 0;
            return await CliRunner.FailAsync(SyncOutcome.Describe(result), exitCode: result.Status == SyncStatus.Running
                ? CliRunner.Interrupted : CliRunner.Failure);
        });
        return command;
    }

    private static Dictionary<string, object?> Summary(SyncResult r) => new()
    {
        ["run_id"] = r.RunId,
        ["status"] = StatusWord(r),
        ["type"] = Words(r.Type.ToString()),
        ["delta_source"] = r.DeltaSource,
        ["resumed"] = r.Resumed,
        ["dry_run"] = r.DryRun,
        ["duration_seconds"] = Math.Round(r.Duration.TotalSeconds, 3),
        ["items_read"] = r.ItemsRead,
        ["rows_changed"] = RunFigures.RowsChanged(r.Counts.Values),
        ["requests"] = r.Requests,
        ["throttled"] = r.Throttled,
        ["retries"] = r.Retries,
        ["counts"] = r.Counts.ToDictionary(kv => kv.Key,
            kv => new
            {
                created = kv.Value.Created,
                updated = kv.Value.Updated,
                deleted = kv.Value.Deleted,
                unchanged = kv.Value.Unchanged
            }),
        ["errors"] = r.Errors,
        ["error"] = r.Status == SyncStatus.Completed
            ? null
            : new { code = r.ErrorCode ?? (r.Status == SyncStatus.Running ? "interrupted" : null), message = SyncOutcome.Describe(r) },
        ["drift"] = r.Drift.Select(d => new
        {
            entity_type = d.EntityType,
            field = d.Field,
            rows = d.RowCount,
            example_canvas_id = d.ExampleCanvasId
        }),
    };

    private static void PrintSummary(SyncResult r)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Run {r.RunId}: {StatusWord(r)} ({Words(r.Type.ToString())}{(r.DeltaSource == DeltaSources.GraphQL ? " through GraphQL" : "")}{(r.DryRun ? ", dry run: nothing written" : "")}{(r.Resumed ? ", resumed" : "")}) in {r.Duration.TotalSeconds:0.0} s: {r.ItemsRead} items read, {RunFigures.RowsChanged(r.Counts.Values)} rows changed; {r.Requests} requests, {r.Throttled} throttled, {r.Retries} retried"));
        if (r.Counts.Count > 0) Console.WriteLine($"  {"entity",-18} {"created",9} {"updated",9} {"deleted",9} {"unchanged",9}");
        foreach (var (entity, c) in r.Counts)
            Console.WriteLine($"  {entity,-18} {c.Created,9} {c.Updated,9} {c.Deleted,9} {c.Unchanged,9}");
        foreach (var e in r.Errors.Take(10)) Console.WriteLine($"  error: {e}");
        if (r.Type == SyncType.Reconcile && r.Status != SyncStatus.Running)
            Console.WriteLine(r.Drift.Count == 0 ? "  drift: none, the mirror was equal to Canvas" : "  drift (what a delta missed):");
        foreach (var d in r.Drift)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {d.EntityType}.{d.Field}: {d.RowCount} rows, e.g. Canvas id {d.ExampleCanvasId}"));
    }

    /// <summary>The run's status; one still running when the command returns was interrupted (Ctrl+C) and is left to resume.</summary>
    private static string StatusWord(SyncResult r) => r.Status == SyncStatus.Running ? "interrupted" : Words(r.Status.ToString());

    private static string Words(string pascal) => CanvasSync.Data.SnakeCase.From(pascal);
}
