using System.Security.Claims;
using CanvasSync.Cluster;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.Monitoring;

internal sealed record RunRecordList(IReadOnlyList<RunRecordView> Items);

/// <summary>
/// /api/v1/metrics: how syncs are doing. A user sees their own runs and connection; an admin sees everyone's, or one
/// user's with user_id.
/// </summary>
internal static class MetricsEndpoints
{
    private const int MaxDays = 365;

    public static RouteGroupBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        var metrics = app.MapApiGroup("/api/v1/metrics", "Metrics");
        metrics.ProducesProblem(StatusCodes.Status403Forbidden);
        metrics.MapGet("/health", HealthAsync);
        metrics.MapGet("/summary", SummaryAsync);
        metrics.MapGet("/recent", RecentAsync);
        metrics.MapGet("/failed", FailedAsync);
        metrics.MapGet("/performance", PerformanceAsync);
        metrics.MapGet("/drift", DriftAsync);
        return metrics;
    }

    private static async Task<Results<Ok<HealthReport>, ProblemHttpResult>> HealthAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts,
        IOptions<MonitoringOptions> options, [FromServices] NodeIdentity node, TimeProvider time, CancellationToken ct,
            [FromQuery(Name = "user_id")] long? userId = null)
    {
        await using var who = Whose(caller, userId, db, contexts);
        if (who is null) return NotYours();
        return TypedResults.Ok(await SyncHealth.CheckAsync(who.Db, who.UserId, options.Value, node.Lease, time.GetUtcNow().UtcDateTime,
            ct));
    }

    private static async Task<Results<Ok<MetricsSummary>, ProblemHttpResult>> SummaryAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts, TimeProvider time, CancellationToken ct, int days = 7,
            [FromQuery(Name = "user_id")] long? userId = null)
    {
        if (CheckDays(days) is { } bad) return bad;
        await using var who = Whose(caller, userId, db, contexts);
        if (who is null) return NotYours();
        var since = time.GetUtcNow().UtcDateTime.AddDays(-days);
        return TypedResults.Ok(MetricsFigures.Summary(days, since, await RunRecords.FactsAsync(who.Db, who.UserId, since, ct)));
    }

    private static async Task<Results<Ok<RunRecordList>, ProblemHttpResult>> RecentAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts, CancellationToken ct, int limit = 20,
            [FromQuery(Name = "user_id")] long? userId = null)
    {
        if (Paging.CheckLimit(limit) is { } bad) return bad;
        await using var who = Whose(caller, userId, db, contexts);
        if (who is null) return NotYours();
        return TypedResults.Ok(new RunRecordList(await RunRecords.ListAsync(who.Db, RunRecords.Ended(who.Db, who.UserId), limit, ct)));
    }

    /// <summary>Runs that failed in whole (failed, needs_reauth) or in part (completed_with_errors), newest first.</summary>
    private static async Task<Results<Ok<RunRecordList>, ProblemHttpResult>> FailedAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts, TimeProvider time, CancellationToken ct, int days = 7,
            int limit = 50, [FromQuery(Name = "user_id")] long? userId = null)
    {
        if ((CheckDays(days) ?? Paging.CheckLimit(limit)) is { } bad) return bad;
        await using var who = Whose(caller, userId, db, contexts);
        if (who is null) return NotYours();
        var failed = RunRecords.Failures(RunRecords.Ended(who.Db, who.UserId, time.GetUtcNow().UtcDateTime.AddDays(-days)));
        return TypedResults.Ok(new RunRecordList(await RunRecords.ListAsync(who.Db, failed, limit, ct)));
    }

    /// <summary>Per UTC day, the last <paramref name="days"/> days up to today.</summary>
    private static async Task<Results<Ok<List<DayPerformance>>, ProblemHttpResult>> PerformanceAsync(ClaimsPrincipal caller,
        CanvasSyncDbContext db,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts, TimeProvider time, CancellationToken ct, int days = 14,
            [FromQuery(Name = "user_id")] long? userId = null)
    {
        if (CheckDays(days) is { } bad) return bad;
        await using var who = Whose(caller, userId, db, contexts);
        if (who is null) return NotYours();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        var runs = await RunRecords.FactsAsync(who.Db, who.UserId, first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), ct);
        return TypedResults.Ok(MetricsFigures.PerDay(first, today, runs));
    }

    /// <summary>What the period's reconciles had to write, per entity type and field: zero is the target.</summary>
    private static async Task<Results<Ok<DriftReport>, ProblemHttpResult>> DriftAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts, TimeProvider time, CancellationToken ct, int days = 7,
            [FromQuery(Name = "user_id")] long? userId = null)
    {
        if (CheckDays(days) is { } bad) return bad;
        await using var who = Whose(caller, userId, db, contexts);
        if (who is null) return NotYours();
        var since = time.GetUtcNow().UtcDateTime.AddDays(-days);
        return TypedResults.Ok(await DriftReports.ReadAsync(who.Db, who.UserId, days, since, ct));
    }

    /// <summary>
    /// Whose runs, read where: an admin reads everyone's (or user_id's) on a context of its own, without the row-level
    /// security user the request's connection carries; a user reads their own on the request's context. Null: a user
    /// asked for someone else's.
    /// </summary>
    internal static MetricsReader? Whose(ClaimsPrincipal caller, long? userId, CanvasSyncDbContext requestDb,
        IDbContextFactory<CanvasSyncDbContext> contexts)
    {
        if (caller.IsAdmin()) return new MetricsReader(contexts.CreateDbContext(), userId, Owned: true);
        return userId is null || userId == caller.UserId() ? new MetricsReader(requestDb, caller.UserId(), Owned: false) : null;
    }

    /// <summary>The context to read from and whose runs (null: everyone's); disposes the context only if it made it.</summary>
    internal sealed record MetricsReader(CanvasSyncDbContext Db, long? UserId, bool Owned) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Owned ? Db.DisposeAsync() : ValueTask.CompletedTask;
    }

    internal static ProblemHttpResult? CheckDays(int days) =>
        days is < 1 or > MaxDays ? Problems.Field("days", $"days must be between 1 and {MaxDays}") : null;

    internal static ProblemHttpResult NotYours() =>
        Problems.Field("user_id", "only an admin may read another user's metrics", StatusCodes.Status403Forbidden, title: "Forbidden");
}
