using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Threading.Channels;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns.Jobs;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.SyncRuns;

/// <summary>/api/v1/canvas/sync...: start, watch (also as server-sent events), cancel, retry and list the caller's syncs.</summary>
internal static class SyncEndpoints
{
    public static RouteGroupBuilder MapSyncRuns(this IEndpointRouteBuilder app)
    {
        var canvas = app.MapApiGroup("/api/v1/canvas", "Syncs");
        canvas.MapPost("/sync", StartAsync);
        canvas.MapGet("/sync/{id:long}", GetAsync).ProducesProblem(StatusCodes.Status404NotFound);
        canvas.MapPost("/sync/{id:long}/cancel", CancelAsync).ProducesProblem(StatusCodes.Status404NotFound);
        canvas.MapPost("/sync/{id:long}/retry", RetryAsync).ProducesProblem(StatusCodes.Status404NotFound);
        canvas.MapGet("/sync/{id:long}/events", EventsAsync).Produces<SyncProgress>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
        canvas.MapGet("/syncs", HistoryAsync);
        return canvas;
    }

    private static async Task<Results<Accepted<SyncStartResponse>, ProblemHttpResult>> StartAsync(SyncStartRequest? body,
        ClaimsPrincipal caller,
        CanvasSyncDbContext db, SyncScheduler scheduler, CancellationToken ct)
    {
        body ??= new SyncStartRequest(null, null);
        var type = body.SyncType?.ToLowerInvariant() switch
        {
            null or "delta" => SyncType.Delta,
            "full" => SyncType.Full,
            "reconcile" => SyncType.Reconcile,
            _ => (SyncType?)null,
        };
        if (type is null) return Invalid("sync_type", "sync_type must be \"delta\", \"full\" or \"reconcile\"");
        if (body.SlowLane && type != SyncType.Delta)
            return Invalid("slow_lane", "slow_lane is for a delta: a full sync or a reconcile re-reads everything anyway");
        if (body.Scope?.TermId is <= 0) return Invalid("scope.term_id", "scope.term_id must be a Canvas term id (a positive number)");
        if (body.Scope?.CourseIds?.Any(id => id <= 0) == true)
            return Invalid("scope.course_ids", "scope.course_ids must be Canvas course ids (positive numbers)");
        // Stored with the run and shown in its history: no one has this many courses, and a bigger list is only weight.
        if (body.Scope?.CourseIds?.Count > SyncScope.MaxCourseIds)
            return Invalid("scope.course_ids", $"scope.course_ids takes at most {SyncScope.MaxCourseIds} courses; leave it out to sync every course");

        var connection = await CallerConnection.FindAsync(db, caller, ct);
        if (connection is null) return CallerConnection.NotConnected();
        if (!SyncControl.CanSync(connection))
            return Problem(StatusCodes.Status409Conflict,
                "the Canvas connection needs a new token (needs_reauth or disconnected): POST /api/v1/canvas/connect again");

        var request = new SyncRequest(type.Value, new SyncScope(body.Scope?.TermId, body.Scope?.CourseIds), body.ForceRestart, body.DryRun,
            body.SlowLane);
        var (runId, existing) = await scheduler.EnqueueAsync(connection.Id, request, ct);
        var status = await db.SyncRuns.AsNoTracking().Where(r => r.Id == runId).Select(r => r.Status).SingleAsync(ct);
        return TypedResults.Accepted($"/api/v1/canvas/sync/{runId}", new SyncStartResponse(true,
            existing ? "A sync of this connection is already in progress" : "Sync queued", runId, SnakeCase.From(status.ToString()),
                existing));
    }

    private static async Task<Results<Ok<SyncRunView>, ProblemHttpResult>> GetAsync(long id, ClaimsPrincipal caller, CanvasSyncDbContext db,
        CancellationToken ct) =>
        await SyncControl.OwnRunAsync(db, caller.UserId(), id, ct) is { } run ? TypedResults.Ok(run.AsView()) : NotFound(id);

    private static async Task<Results<Ok<SyncRunView>, ProblemHttpResult>> CancelAsync(long id, ClaimsPrincipal caller,
        CanvasSyncDbContext db,
        SyncEngine engine, TimeProvider time, CancellationToken ct)
    {
        var run = await SyncControl.OwnRunAsync(db, caller.UserId(), id, ct);
        if (run is null) return NotFound(id);
        if (await SyncControl.CancelAsync(db, engine, time, run, ct) == CancelOutcome.AlreadyFinished)
        {
            var now = await SyncControl.OwnRunAsync(db, caller.UserId(), id, ct);
            return Problem(StatusCodes.Status409Conflict, $"sync {id} has already finished ({SnakeCase.From((now ?? run).Status.ToString())})");
        }

        // A running sync stops at its next page boundary (on another node, within a lease renewal); the answer shows where it is now.
        return TypedResults.Ok((await SyncControl.OwnRunAsync(db, caller.UserId(), id, ct))!.AsView());
    }

    private static async Task<Results<Accepted<SyncStartResponse>, ProblemHttpResult>> RetryAsync(long id, ClaimsPrincipal caller,
        CanvasSyncDbContext db,
        SyncScheduler scheduler, CancellationToken ct)
    {
        var run = await SyncControl.OwnRunAsync(db, caller.UserId(), id, ct);
        if (run is null) return NotFound(id);
        if (run.Status.IsUnfinished()) return Problem(StatusCodes.Status409Conflict, $"sync {id} has not finished yet");
        var (runId, existing) = await SyncControl.RetryAsync(scheduler, run, ct);
        return TypedResults.Accepted($"/api/v1/canvas/sync/{runId}", new SyncStartResponse(true,
            existing ? "A sync of this connection is already in progress" : $"Sync {id} queued again as {runId}", runId, existing
                ? "running" : "queued", existing));
    }

    private static async Task<Results<Ok<Page<SyncRunView>>, ProblemHttpResult>> HistoryAsync(ClaimsPrincipal caller,
        CanvasSyncDbContext db, CancellationToken ct,
        int limit = 20, string? cursor = null)
    {
        if (Paging.CheckLimit(limit, max: 100) is { } badLimit) return badLimit;
        long? before = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var c)) return Paging.BadCursor();
            before = c;
        }

        var runs = await SyncControl.HistoryAsync(db, caller.UserId(), before, limit + 1, ct);
        var page = runs.Take(limit).Select(r => r.AsView()).ToList();
        return TypedResults.Ok(new Page<SyncRunView>(page, runs.Count > limit ? page[^1].SyncId.ToString(CultureInfo.InvariantCulture)
            : null));
    }

    /// <summary>
    /// Server-sent events of a sync (see <see cref="SyncEvents"/>): numbered, so Last-Event-ID resumes without gaps,
    /// ending with the final event. A sync that finished before this process knew it gets its final event from the row.
    /// </summary>
    private static async Task<IResult> EventsAsync(long id, HttpContext http, ClaimsPrincipal caller, CanvasSyncDbContext db,
        SyncEvents events,
        [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts, CancellationToken ct)
    {
        var run = await SyncControl.OwnRunAsync(db, caller.UserId(), id, ct);
        if (run is null) return NotFound(id);
        _ = long.TryParse(http.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture,
            out var afterId);
        var finished = !run.Status.IsUnfinished();
        if (finished && !events.Knows(id))
        {
            var final = new SseItem<SyncProgress>(FinalOf(run).Progress, SnakeCase.From(run.Status.ToString())) { EventId = "final" };
            return TypedResults.ServerSentEvents(One(final, ct));
        }

        return TypedResults.ServerSentEvents(Stream(EndingByTheRow(events.ReadAsync(id, afterId, ct), id, contexts, ct)));
    }

    /// <summary>The final event as the run's row tells it, for a run whose own final event this node never had.</summary>
    private static SyncEvent FinalOf(SyncRun run) =>
        new(run.Id, Math.Max(1, run.Attempt) * SyncEvents.IdsPerAttempt, SnakeCase.From(run.Status.ToString()),
        new SyncProgress(run.Id, "finished", null, run.ItemsDone, 0, 0, run.Requests, run.Throttled, run.Percent, run.ItemsEstimated));

    private static readonly TimeSpan RowCheck = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The run's events, until its final one; but when its row has said for a whole <see cref="RowCheck"/> that it
    /// ended and no final event came (the note from another node was lost, or the node died as it finished), a final
    /// event made from the row ends the stream instead of leaving the listener waiting for ever.
    /// </summary>
    private static async IAsyncEnumerable<SyncEvent> EndingByTheRow(IAsyncEnumerable<SyncEvent> events, long runId,
        IDbContextFactory<CanvasSyncDbContext> contexts,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var merged = Channel.CreateUnbounded<SyncEvent>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var relay = Task.Run(async () =>
        {
            await foreach (var e in events.WithCancellation(stop.Token)) await merged.Writer.WriteAsync(e, stop.Token);
        }, stop.Token);
        var watch = Task.Run(async () =>
        {
            var endedBefore = false;
            while (true)
            {
                await Task.Delay(RowCheck, stop.Token);
                await using var db = contexts.CreateDbContext();
                var run = await db.SyncRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, stop.Token);
                var ended = run is not null && !run.Status.IsUnfinished();
                if (ended && endedBefore)
                {
                    await merged.Writer.WriteAsync(FinalOf(run!), stop.Token);
                    return;
                }

                endedBefore = ended;
            }
        }, stop.Token);

        try
        {
            await foreach (var e in merged.Reader.ReadAllAsync(ct))
            {
                yield return e;
                if (e.IsFinal) yield break;
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await Task.WhenAll(relay, watch);
            }
            catch (OperationCanceledException)
            {
                // Both stop with the stream.
            }
        }
    }

    private static async IAsyncEnumerable<SseItem<object>> Stream(IAsyncEnumerable<SyncEvent> events)
    {
        await foreach (var e in events)
        {
            object data = e.Kind switch
            {
                "milestone" => new { percent = e.Milestone, progress = e.Progress },
                "course_started" or "course_done" => new { course_id = e.CourseId, progress = e.Progress },
                _ => e.Progress,
            };
            yield return new SseItem<object>(data, e.Kind) { EventId = e.Id.ToString(CultureInfo.InvariantCulture) };
        }
    }

    private static async IAsyncEnumerable<SseItem<T>> One<T>(SseItem<T> item, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await Task.CompletedTask;
        ct.ThrowIfCancellationRequested();
        yield return item;
    }

    private static ProblemHttpResult NotFound(long id) => Problem(StatusCodes.Status404NotFound, $"no sync {id}");

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);

    private static ProblemHttpResult Invalid(string field, string message) => Problems.Field(field, message);
}
