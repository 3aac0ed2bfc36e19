using System.Security.Claims;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Assignments;

/// <summary>/api/v1/canvas/assignments: the caller's assignments from the mirror, by due date, a page at a time.</summary>
public static class AssignmentEndpoints
{
    public static RouteGroupBuilder MapAssignments(this IEndpointRouteBuilder app)
    {
        var canvas = app.MapGroup("/api/v1/canvas").RequireRateLimiting("per-user").WithTags("Assignments");
        canvas.MapGet("/assignments", ListAsync);
        return canvas;
    }

    /// <summary>
    /// Ordered by due date (undated last), then id. Completed ones (submitted, graded or excused for the caller) are
    /// left out unless <c>include_completed=true</c>. <c>updated_since</c> compares with when the mirror saw a change.
    /// </summary>
    private static async Task<Results<Ok<Page<AssignmentView>>, ProblemHttpResult>> ListAsync(ClaimsPrincipal caller, CanvasSyncDbContext db, CancellationToken ct,
        int limit = Paging.DefaultLimit, string? cursor = null,
        [FromQuery(Name = "course_id")] long? courseId = null,
        [FromQuery(Name = "due_after")] DateTime? dueAfter = null,
        [FromQuery(Name = "due_before")] DateTime? dueBefore = null,
        [FromQuery(Name = "include_completed")] bool includeCompleted = false,
        [FromQuery(Name = "updated_since")] DateTime? updatedSince = null)
    {
        if (Paging.CheckLimit(limit) is { } badLimit) return badLimit;
        if (!Paging.TryDecodeDue(cursor, out var after)) return Paging.BadCursor();
        if (dueAfter > dueBefore) return Problems.Field("due_before", "due_before must not be earlier than due_after");
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();

        var from = dueAfter?.ToUniversalTime();
        var to = dueBefore?.ToUniversalTime();
        var since = updatedSince?.ToUniversalTime();
        var query = db.Assignments.AsNoTracking().Where(a => a.ConnectionId == me.Id && a.DeletedAt == null);
        if (courseId is { } course) query = query.Where(a => a.CourseCanvasId == course);
        if (from is not null) query = query.Where(a => a.DueAt >= from);
        if (to is not null) query = query.Where(a => a.DueAt <= to);
        if (since is not null) query = query.Where(a => a.ChangedAt >= since);
        if (!includeCompleted)
        {
            // Completion.IsDone, as SQL.
            query = query.Where(a => !db.Submissions.Any(s => s.ConnectionId == me.Id && s.UserCanvasId == me.CanvasUserId && s.AssignmentCanvasId == a.CanvasId
                && s.DeletedAt == null && (s.Excused || s.WorkflowState == "submitted" || s.WorkflowState == "graded" || s.WorkflowState == "pending_review")));
        }

        if (after is { Due: { } d, Id: var i }) query = query.Where(a => a.DueAt == null || a.DueAt > d || (a.DueAt == d && a.CanvasId > i));
        else if (after is { Id: var j }) query = query.Where(a => a.DueAt == null && a.CanvasId > j);

        var rows = await query.OrderBy(a => a.DueAt == null).ThenBy(a => a.DueAt).ThenBy(a => a.CanvasId).Take(limit + 1).ToListAsync(ct);
        var items = await AssignmentViews.BuildAsync(db, me, rows.Take(limit).ToList(), ct);
        var next = rows.Count > limit ? Paging.Encode(items[^1].DueAt, items[^1].Id) : null;
        return TypedResults.Ok(new Page<AssignmentView>(items, next));
    }
}
