using System.Security.Claims;
using System.Text;
using System.Text.Json.Serialization;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.SeedApps;

/// <summary>How much the mirror holds for the caller: live courses and assignments.</summary>
internal sealed record CachedCounts([property: JsonPropertyName("courses")] long Courses,
    [property: JsonPropertyName("assignments")] long Assignments);

/// <summary>GET /api/canvas/auto-sync, in the course dashboard's camelCase.</summary>
internal sealed record AutoSyncState([property: JsonPropertyName("lastSync")] DateTime? LastSync,
    [property: JsonPropertyName("needsSync")] bool NeedsSync,
    [property: JsonPropertyName("cached")] CachedCounts Cached);

/// <summary>POST /api/canvas/auto-sync: the dashboard reads success and stats; sync_id and status say which run and how it
/// stands.</summary>
internal sealed record AutoSyncResult([property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("stats")] CachedCounts Stats,
    [property: JsonPropertyName("sync_id")] long SyncId, [property: JsonPropertyName("status")] string Status);

/// <summary>
/// The course dashboard's API, as its documentation gives it: <c>/api/canvas/auto-sync</c> to sync and to ask whether a
/// sync is needed, and cache-first <c>/api/canvas/courses</c>, <c>/assignments</c> and <c>/grades</c>. Courses and
/// assignments are the JSON Canvas served (the dashboard was written against Canvas itself), from the mirror.
/// </summary>
internal static class CanvasDashboardEndpoints
{
    /// <summary>How long POST auto-sync waits for its sync before answering with the sync still running.</summary>
    public static readonly TimeSpan AutoSyncWait = TimeSpan.FromSeconds(60);

    public static RouteGroupBuilder MapCanvasDashboardApi(this IEndpointRouteBuilder app)
    {
        var canvas = app.MapApiGroup("/api/canvas", "Seed apps: course dashboard");
        canvas.MapGet("/auto-sync", StateAsync);
        canvas.MapPost("/auto-sync", SyncAsync);
        canvas.MapGet("/courses", CoursesAsync).Produces<string>(StatusCodes.Status200OK, "application/json");
        canvas.MapGet("/assignments", AssignmentsAsync).Produces<string>(StatusCodes.Status200OK, "application/json");
        canvas.MapGet("/grades", GradesAsync);
        return canvas;
    }

    private static async Task<Results<Ok<AutoSyncState>, ProblemHttpResult>> StateAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        TimeProvider time,
        IOptions<SyncOptions> options, CancellationToken ct)
    {
        if (await CallerConnection.FindAsync(db, caller, ct) is not { } c) return CallerConnection.NotConnected();
        var last = ConnectionState.LastComplete(c);
        var stale = last is null || time.GetUtcNow().UtcDateTime - last > TimeSpan.FromMinutes(options.Value.StaleAfterMinutes);
        return TypedResults.Ok(new AutoSyncState(last, stale, await CountsAsync(db, c.Id, ct)));
    }

    /// <summary>Queues a sync (a delta once a full sync has been made) and waits for it, up to <see cref="AutoSyncWait"/>.</summary>
    private static async Task<Results<Ok<AutoSyncResult>, ProblemHttpResult>> SyncAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        SyncScheduler scheduler,
        TimeProvider time, CancellationToken ct)
    {
        if (await CallerConnection.FindAsync(db, caller, ct) is not { } c) return CallerConnection.NotConnected();
        if (!SyncControl.CanSync(c))
            return Problems.Field("connection", "Canvas no longer accepts the stored token; connect again with a new one",
                StatusCodes.Status409Conflict, "needs_reauth");
        var (runId, _) = await scheduler.EnqueueAsync(c.Id,
            new SyncRequest(c.LastFullSyncAt is null ? SyncType.Full : SyncType.Delta, new SyncScope()), ct);
        var deadline = time.GetUtcNow() + AutoSyncWait;
        var status = SyncStatus.Queued;
        while (time.GetUtcNow() < deadline)
        {
            status = await db.SyncRuns.AsNoTracking().Where(r => r.Id == runId).Select(r => r.Status).SingleAsync(ct);
            if (!status.IsUnfinished()) break;
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct);
        }

        var success = status is SyncStatus.Completed or SyncStatus.CompletedWithErrors || status.IsUnfinished();
        return TypedResults.Ok(new AutoSyncResult(success, await CountsAsync(db, c.Id, ct), runId, SnakeCase.From(status.ToString())));
    }

    private static async Task<IResult> CoursesAsync(ClaimsPrincipal caller, CanvasSyncDbContext db, CancellationToken ct)
    {
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();
        return RawArray(await db.Courses.AsNoTracking().Where(x => x.ConnectionId == me.Id && x.DeletedAt == null).OrderBy(x => x.CanvasId)
            .Select(x => x.RawJson).ToListAsync(ct));
    }

    private static async Task<IResult> AssignmentsAsync(ClaimsPrincipal caller, CanvasSyncDbContext db, CancellationToken ct)
    {
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();
        return RawArray(await db.Assignments.AsNoTracking().Where(x => x.ConnectionId == me.Id && x.DeletedAt == null)
            .OrderBy(x => x.DueAt == null).ThenBy(x => x.DueAt).ThenBy(x => x.CanvasId).Select(x => x.RawJson).ToListAsync(ct));
    }

    /// <summary>The caller's grades per course, as /api/v1/canvas/grades gives them.</summary>
    private static async Task<Results<Ok<List<CourseGradesView>>, ProblemHttpResult>> GradesAsync(ClaimsPrincipal caller,
        CanvasSyncDbContext db, CancellationToken ct)
    {
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();
        return TypedResults.Ok(await EnrollmentViews.OwnGradesAsync(db, me, ct));
    }

    private static async Task<CachedCounts> CountsAsync(CanvasSyncDbContext db, long connectionId, CancellationToken ct) => new(
        await db.Courses.CountAsync(x => x.ConnectionId == connectionId && x.DeletedAt == null, ct),
        await db.Assignments.CountAsync(x => x.ConnectionId == connectionId && x.DeletedAt == null, ct));

    /// <summary>Stored Canvas JSON, one array: each row is written as Canvas served it, never re-serialized.</summary>
    private static IResult RawArray(List<string> rows)
    {
        var json = new StringBuilder("[");
        for (var i = 0; i < rows.Count; i++) json.Append(i == 0 ? "" : ",").Append(rows[i]);
        return Results.Content(json.Append(']').ToString(), "application/json; charset=utf-8");
    }
}
