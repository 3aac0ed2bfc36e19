using System.Security.Claims;
using CanvasSync.Cluster;
using CanvasSync.Data;
using CanvasSync.Features.Monitoring;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.SeedApps;

/// <summary>What one entity type of a run handled, as the monitoring app names it.</summary>
internal sealed record MonitoredEntity(long Processed, long Created, long Updated);

/// <summary>A run's Canvas traffic: calls made, calls that failed and were retried, rate-limit refusals.</summary>
internal sealed record MonitoredApiCalls(long CallsMade, long CallsFailed, long RateLimitHits);

/// <summary>A run as the monitoring app's dashboard template reads it. <c>sync_task_id</c> is the run id.</summary>
internal sealed record MonitoredSync(long Id, string SyncTaskId, long UserId, string SyncStatus, string SyncType, DateTime? SyncStartTime,
    DateTime? SyncEndTime,
    double TotalDurationSeconds, string? ErrorMessage, MonitoredEntity Courses, MonitoredEntity Assignments, MonitoredApiCalls ApiMetrics);

internal sealed record MonitoredSyncList(int Count, int? PeriodDays, IReadOnlyList<MonitoredSync> Syncs);

/// <summary>The monitoring app's summary; <c>success_rate</c> is a percent here (CanvasSync's own summary gives a fraction).</summary>
internal sealed record MonitoredSummary(int PeriodDays, int TotalSyncs, int SuccessfulSyncs, int FailedSyncs, double? SuccessRate,
    double TotalDurationSeconds,
    double? AverageDurationSeconds, long TotalCoursesProcessed, long TotalAssignmentsProcessed, long TotalApiCalls, long TotalApiFailures,
        int UniqueUsers);

internal sealed record MonitoredDurations(double? MinSeconds, double? MaxSeconds, double? AvgSeconds, double TotalSeconds);

internal sealed record MonitoredCalls(long Total, double? AvgPerSync);

internal sealed record MonitoredItems(long TotalCourses, long TotalAssignments, long TotalSubmissions);

internal sealed record MonitoredPerformance(int PeriodDays, int SyncCount, MonitoredDurations Duration, MonitoredCalls ApiCalls,
    MonitoredItems ItemsProcessed);

internal sealed record MonitoredHealth(DateTime Timestamp, string Status, string Database, IReadOnlyList<HealthReason> Reasons);

/// <summary>
/// The sync monitoring app's API, <c>/api/canvas/metrics/...</c>, in the shapes its documentation gives, over
/// CanvasSync's run records, so its dashboard template works unchanged. CanvasSync's own metrics API
/// (<c>/api/v1/metrics</c>) says more; who may read what is the same (a user their own runs, an admin everyone's).
/// </summary>
internal static class SyncMonitoringEndpoints
{
    private const int MaxListed = 100;

    public static RouteGroupBuilder MapSyncMonitoringApi(this IEndpointRouteBuilder app)
    {
        var metrics = app.MapApiGroup("/api/canvas/metrics", "Seed apps: sync monitoring");
        metrics.ProducesProblem(StatusCodes.Status403Forbidden);
        metrics.MapGet("/health", HealthAsync);
        metrics.MapGet("/summary", SummaryAsync);
        metrics.MapGet("/recent", RecentAsync);
        metrics.MapGet("/failed", FailedAsync);
        metrics.MapGet("/performance", PerformanceAsync);
        return metrics;
    }

    private static async Task<Ok<MonitoredHealth>> HealthAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts,
        IOptions<MonitoringOptions> options, [FromServices] NodeIdentity node, TimeProvider time, CancellationToken ct)
    {
        await using var who = MetricsEndpoints.Whose(caller, null, db, contexts)!;
        var now = time.GetUtcNow().UtcDateTime;
        var report = await SyncHealth.CheckAsync(who.Db, who.UserId, options.Value, node.Lease, now, ct);
        return TypedResults.Ok(new MonitoredHealth(now, report.Status, await who.Db.Database.CanConnectAsync(ct) ? "healthy" : "unhealthy",
            report.Reasons));
    }

    private static async Task<Results<Ok<MonitoredSummary>, ProblemHttpResult>> SummaryAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts, TimeProvider time, CancellationToken ct, int days = 7)
    {
        if (MetricsEndpoints.CheckDays(days) is { } bad) return bad;
        await using var who = MetricsEndpoints.Whose(caller, null, db, contexts)!;
        var since = time.GetUtcNow().UtcDateTime.AddDays(-days);
        var facts = await RunRecords.FactsAsync(who.Db, who.UserId, since, ct);
        var ended = RunRecords.Ended(who.Db, who.UserId, since);
        var calls = await ended.GroupBy(_ => 1).Select(g => new { Requests = g.Sum(r => r.Requests), Retries = g.Sum(r => r.Retries) })
            .FirstOrDefaultAsync(ct);
        var users = await who.Db.Connections.Where(c => ended.Select(r => r.ConnectionId).Contains(c.Id)).Select(c => c.UserId).Distinct()
            .CountAsync(ct);
        var processed = await ProcessedAsync(who.Db, ended, ct);
        var succeeded = facts.Where(r => r.Succeeded && r.Started).Select(r => r.Seconds).ToList();
        return TypedResults.Ok(new MonitoredSummary(days, facts.Count, facts.Count(r => r.Succeeded), facts.Count(r => r.FailedRun),
            MetricsFigures.SuccessRate(facts) is { } rate ? Math.Round(rate * 100, 2) : null, Math.Round(facts.Sum(r => r.Seconds), 3),
            succeeded.Count == 0 ? null : Math.Round(succeeded.Average(), 3), processed.GetValueOrDefault("courses"),
                processed.GetValueOrDefault("assignments"),
            calls?.Requests ?? 0, calls?.Retries ?? 0, users));
    }

    private static async Task<Results<Ok<MonitoredSyncList>, ProblemHttpResult>> RecentAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts, CancellationToken ct, int limit = 20)
    {
        if (CheckLimit(limit) is { } bad) return bad;
        await using var who = MetricsEndpoints.Whose(caller, null, db, contexts)!;
        var syncs = (await RunRecords.ListAsync(who.Db, RunRecords.Ended(who.Db, who.UserId), limit, ct)).Select(AsMonitored).ToList();
        return TypedResults.Ok(new MonitoredSyncList(syncs.Count, null, syncs));
    }

    /// <summary>Runs that failed in whole or in part, newest first.</summary>
    private static async Task<Results<Ok<MonitoredSyncList>, ProblemHttpResult>> FailedAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts, TimeProvider time, CancellationToken ct, int days = 7,
            int limit = 20)
    {
        if ((MetricsEndpoints.CheckDays(days) ?? CheckLimit(limit)) is { } bad) return bad;
        await using var who = MetricsEndpoints.Whose(caller, null, db, contexts)!;
        var failed = RunRecords.Failures(RunRecords.Ended(who.Db, who.UserId, time.GetUtcNow().UtcDateTime.AddDays(-days)));
        var syncs = (await RunRecords.ListAsync(who.Db, failed, limit, ct)).Select(AsMonitored).ToList();
        return TypedResults.Ok(new MonitoredSyncList(syncs.Count, days, syncs));
    }

    /// <summary>The completed runs of the period (completed, or completed with some collections failed).</summary>
    private static async Task<Results<Ok<MonitoredPerformance>, ProblemHttpResult>> PerformanceAsync(ClaimsPrincipal caller,
        CanvasSyncDbContext db,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts, TimeProvider time, CancellationToken ct, int days = 30)
    {
        if (MetricsEndpoints.CheckDays(days) is { } bad) return bad;
        await using var who = MetricsEndpoints.Whose(caller, null, db, contexts)!;
        var completed = RunRecords.Ended(who.Db, who.UserId, time.GetUtcNow().UtcDateTime.AddDays(-days))
            .Where(r => r.Status == SyncStatus.Completed || r.Status == SyncStatus.CompletedWithErrors);
        var runs = await completed.Select(r => new { r.ActiveSeconds, r.Requests }).ToListAsync(ct);
        var seconds = runs.Select(r => r.ActiveSeconds).ToList();
        var processed = await ProcessedAsync(who.Db, completed, ct);
        return TypedResults.Ok(new MonitoredPerformance(days, runs.Count,
            new MonitoredDurations(seconds.Count == 0 ? null : seconds.Min(), seconds.Count == 0 ? null : seconds.Max(),
                seconds.Count == 0 ? null : Math.Round(seconds.Average(), 3), Math.Round(seconds.Sum(), 3)),
            new MonitoredCalls(runs.Sum(r => r.Requests), runs.Count == 0 ? null : Math.Round(runs.Average(r => r.Requests), 1)),
            new MonitoredItems(processed.GetValueOrDefault("courses"), processed.GetValueOrDefault("assignments"),
                processed.GetValueOrDefault("submissions"))));
    }

    /// <summary>Rows the runs handled (created, updated, deleted or unchanged) per entity type.</summary>
    private static async Task<Dictionary<string, long>> ProcessedAsync(CanvasSyncDbContext db, IQueryable<SyncRun> runs,
        CancellationToken ct) =>
        await db.SyncRunCounts.Where(c => runs.Select(r => r.Id).Contains(c.RunId))
            .GroupBy(c => c.EntityType)
            .Select(g => new { g.Key, Processed = g.Sum(c => c.Created + c.Updated + c.Deleted + c.Unchanged) })
            .ToDictionaryAsync(x => x.Key, x => x.Processed, ct);

    private static MonitoredSync AsMonitored(RunRecordView r)
    {
        MonitoredEntity Entity(string type) => r.Items.TryGetValue(type, out var c) ? new MonitoredEntity(c.Processed, c.Created, c.Updated)
            : new MonitoredEntity(0, 0, 0);
        return new MonitoredSync(r.RunId, r.RunId.ToString(System.Globalization.CultureInfo.InvariantCulture), r.UserId, r.Status,
            r.SyncType, r.StartedAt,
            r.FinishedAt, r.DurationSeconds, r.Error?.Message, Entity("courses"), Entity("assignments"),
            new MonitoredApiCalls(r.Canvas.Requests, r.Canvas.Retries, r.Canvas.Throttled));
    }

    private static ProblemHttpResult? CheckLimit(int limit) =>
        limit is < 1 or > MaxListed ? Problems.Field("limit", $"limit must be between 1 and {MaxListed}") : null;
}
