using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CanvasSync.Cli.Common;
using CanvasSync.Cli.Sync;
using CanvasSync.Data;
using CanvasSync.Features.Analysis;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Cli.Analyze;

/// <summary>
/// `canvas-sync analyze`: upcoming, overdue and missing work, grade statistics and weekly workload, from a stored
/// connection; or one-shot with --canvas-url and --token, which syncs first (into --db, or a temporary database).
/// </summary>
internal static class AnalyzeCommand
{
    private static readonly JsonSerializerOptions Json =
        new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static Command Create()
    {
        var db = CommonOptions.Db();
        var connection = new Option<long?>("--connection") { Description = "Connection id (default: the only one)" };
        var url = new Option<string?>("--canvas-url") { Description = "One-shot: sync this Canvas first (with --token), then analyze" };
        var token = new Option<string?>("--token") { Description = "Canvas API token for --canvas-url (or env CANVASSYNC_CANVAS_TOKEN); never stored" };
        var days = new Option<int>("--days") { Description = "Upcoming: due within this many days", DefaultValueFactory = _ => 14 };
        var weeks = new Option<int>("--weeks") { Description = "Workload: this many weeks from this one", DefaultValueFactory = _ => 4 };
        var json = new Option<bool>("--json") { Description = "Print JSON (upcoming, overdue, grades, workload)" };
        var command = new Command("analyze", "Upcoming, overdue and missing work, grade statistics and workload per week") { db, connection,
            url, token, days, weeks, json };
        command.SetAction(async (p, ct) =>
        {
            if (p.GetValue(days) is < 1 or > 365) throw new FormatException("--days must be between 1 and 365");
            if (p.GetValue(weeks) is < 1 or > 52) throw new FormatException("--weeks must be between 1 and 52");
            var oneShot = p.GetValue(url);
            var secret = p.GetValue(token) ?? Environment.GetEnvironmentVariable("CANVASSYNC_CANVAS_TOKEN");
            if (oneShot is not null && string.IsNullOrWhiteSpace(secret))
                throw new FormatException("--canvas-url needs a token: --token or env CANVASSYNC_CANVAS_TOKEN");
            if (oneShot is null && p.GetValue(token) is not null) throw new FormatException("--token goes with --canvas-url");

            // One-shot without --db: a database of its own, gone afterwards.
            var temporary = oneShot is not null && p.GetValue(db) is null
                ? Path.Combine(Path.GetTempPath(), $"canvas-sync-analyze-{Guid.NewGuid():N}.db") : null;
            try
            {
                CanvasIdentity? identity = null;
                using var host = await CliServices.StartAsync(temporary is null ? p.GetValue(db) : "sqlite:" + temporary, ct,
                    existingDatabase: oneShot is null,
                    beforeDatabase: oneShot is null ? null : async services =>
                        identity = await ChosenConnection.ValidateAsync(services, oneShot, secret!, ct));
                long? chosen = p.GetValue(connection);
                if (identity is not null)
                {
                    chosen = await SyncFirstAsync(host.Services, identity, secret!, ct);
                    if (chosen is null) return CliRunner.Failure;
                }

                var contexts = host.Services.GetRequiredService<IDbContextFactory<CanvasSyncDbContext>>();
                await using var context = await contexts.CreateDbContextAsync(ct);
                var me = await ChosenConnection.FindAsync(context, chosen, ct);
                var report = await StudentAnalysis.AnalyzeAsync(context, me, DateTime.UtcNow, p.GetValue(days), p.GetValue(weeks), ct);
                if (p.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(report, Json));
                else Print(report, p.GetValue(days));
                return 0;
            }
            finally
            {
                if (temporary is not null)
                    foreach (var file in new[] { temporary, temporary + "-wal", temporary + "-shm" })
                        File.Delete(file);
            }
        });
        return command;
    }

    /// <summary>A full sync (a delta when this database already has one) of the given Canvas; null when it did not complete.</summary>
    private static async Task<long?> SyncFirstAsync(IServiceProvider services, CanvasIdentity identity, string secret, CancellationToken ct)
    {
        var connectionId = await ChosenConnection.OfCanvasAsync(services, identity, ct);
        var result = await services.GetRequiredService<SyncEngine>()
            .RunAsync(connectionId, secret, new SyncRequest(SyncType.Delta, new SyncScope()), null, ct);
        if (result.Status is SyncStatus.Completed or SyncStatus.CompletedWithErrors) return connectionId;
        await CliRunner.FailAsync($"the sync before the analysis ended {SnakeCase.From(result.Status.ToString())}: {SyncOutcome.Describe(result)}");
        return null;
    }

    private static void Print(AnalysisReport r, int days)
    {
        static string When(DateTime t) => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        static string Cut(string? text, int width) => text is null ? "" : text.Length <= width ? text : text[..(width - 1)] + "…";

        Console.WriteLine($"Due in the next {days} days ({r.Upcoming.Count} open)");
        foreach (var i in r.Upcoming) Console.WriteLine($"  {When(i.DueAt)}  {Cut(i.Title, 40),-40}  {Cut(i.Course, 24),-24}  {i.Status}");
        Console.WriteLine();
        Console.WriteLine($"Overdue, last 90 days ({r.Overdue.Count}, {r.Overdue.Count(i => i.Missing)} marked missing by Canvas)");
        foreach (var i in r.Overdue) Console.WriteLine($"  {When(i.DueAt)}  {Cut(i.Title, 40),-40}  {Cut(i.Course, 24),-24}  {i.Status}");
        Console.WriteLine();
        Console.WriteLine("Grades (your scores in % of each assignment's points)");
        Console.WriteLine($"  {"course",-28} {"current",8} {"final",8} {"grade",6} {"scored",7} {"lowest",7} {"median",7} {"highest",8} {"mean",7} {"sd",6}");
        foreach (var g in r.Grades)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {Cut(g.Course, 28),-28} {g.CurrentScore,8:0.##} {g.FinalScore,8:0.##} {g.CurrentGrade,6} {g.Scored,7} {g.Lowest,7:0.#} {g.Median,7:0.#} {g.Highest,8:0.#} {g.Mean,7:0.#} {g.StandardDeviation,6:0.#}"));
        Console.WriteLine();
        Console.WriteLine("Workload of open work per week (estimated minutes)");
        foreach (var w in r.Workload)
            Console.WriteLine($"  week of {w.WeekStart:yyyy-MM-dd}  {w.Tasks,3} tasks  {w.EstimatedMinutes,5} min");
    }
}
