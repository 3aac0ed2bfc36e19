using System.Security.Claims;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Assignments;

/// <summary>
/// /api/v1/canvas/assignments: the caller's assignments from the mirror, by due date, a page at a time, in PulsePlan's
/// envelope (<see cref="AssignmentList"/>) with its task fields on each.
/// </summary>
internal static class AssignmentEndpoints
{
    public static RouteGroupBuilder MapAssignments(this IEndpointRouteBuilder app)
    {
        var canvas = app.MapApiGroup("/api/v1/canvas", "Assignments");
        canvas.MapGet("/assignments", ListAsync);
        return canvas;
    }

    /// <summary>
    /// Ordered by due date (undated last), then id. Completed ones (submitted, graded or excused for the caller) are
    /// left out unless <c>include_completed=true</c>. <c>updated_since</c> compares with when the mirror saw a change.
    /// </summary>
    private static async Task<Results<Ok<AssignmentList>, ProblemHttpResult>> ListAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        CancellationToken ct,
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

        var filter = new AssignmentFilter(courseId, dueAfter?.ToUniversalTime(), dueBefore?.ToUniversalTime(),
            updatedSince?.ToUniversalTime(), includeCompleted);
        // Dated ones first, then undated: each half is one range of the (connection, due_at, canvas_id) index that
        // stops after a page, where a single "nulls last" ORDER BY would sort every candidate row on each request.
        var items = new List<AssignmentView>();
        if (after?.Due is not null || after is null)
            items.AddRange(await AssignmentPageQuery.ReadAsync(db, me, filter, after, dated: true, limit + 1, ct));
        if (items.Count <= limit && filter.DueAfter is null && filter.DueBefore is null)
            items.AddRange(await AssignmentPageQuery.ReadAsync(db, me, filter, after, dated: false, limit + 1 - items.Count, ct));

        var next = items.Count > limit ? Paging.Encode(items[limit - 1].DueAt, items[limit - 1].Id) : null;
        if (items.Count > limit) items.RemoveRange(limit, items.Count - limit);
        return TypedResults.Ok(new AssignmentList(true, caller.UserId(), items, items.Count, next));
    }
}
