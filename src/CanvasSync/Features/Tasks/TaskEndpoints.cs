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

namespace CanvasSync.Features.Tasks;

/// <summary>
/// A planner task made from an assignment (<c>source</c> "assignment", with <c>canvas_assignment_id</c>) or from another
/// to-do in Canvas's planner (<c>source</c> its plannable_type, such as "planner_note" or "quiz", with <c>plannable_id</c>).
/// <c>completed</c> is the user's own mark when they set one, else Canvas's (submitted, graded or excused; for planner
/// items also marked complete in the planner); <c>canvas_completed</c> is Canvas's alone. <c>canvas_course_id</c> is 0
/// for a to-do of no course.
/// </summary>
internal sealed record TaskView(long Id, string Title, string? Description, DateTime? DueDate, int? EstimatedMinutes, string? Subject,
    string Type,
    bool Completed, bool CanvasCompleted, long? CanvasAssignmentId, long CanvasCourseId, bool? UserCompleted, int? UserEstimatedMinutes,
        string? Notes,
    DateTime CreatedAt, DateTime UpdatedAt, string Source, long? PlannableId);

/// <summary>/api/v1/tasks: the caller's planner tasks, by due date, a page at a time.</summary>
internal static class TaskEndpoints
{
    public static TaskView AsView(this PlannerTask t)
    {
        var fromAssignment = t.ExternalSource == "canvas";
        return new(t.Id, t.Title, t.Description, t.DueDate, t.UserEstimatedMinutes ?? t.EstimatedMinutes, t.Subject,
            SnakeCase.From(t.Type.ToString()), t.UserCompleted ?? t.Completed, t.Completed, fromAssignment ? t.ExternalId : null,
                t.ExternalCourseId, t.UserCompleted,
            t.UserEstimatedMinutes, t.Notes, t.CreatedAt, t.UpdatedAt, SourceOf(t), fromAssignment ? null : t.ExternalId);
    }

    /// <summary>"assignment", or the plannable_type of a planner to-do ("planner_note", "quiz", ...).</summary>
    public static string SourceOf(PlannerTask t) => t.ExternalSource == "canvas" ? "assignment"
        : t.ExternalSource[PlannerTasks.SourcePrefix.Length..];

    public static RouteGroupBuilder MapTasks(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapApiGroup("/api/v1", "Tasks");
        tasks.MapGet("/tasks", ListAsync);
        tasks.MapPatch("/tasks/{id:long}", TaskEdits.PatchAsync).ProducesProblem(StatusCodes.Status404NotFound);
        return tasks;
    }

    private static async Task<Results<Ok<Page<TaskView>>, ProblemHttpResult>> ListAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        CancellationToken ct,
        int limit = Paging.DefaultLimit, string? cursor = null,
        [FromQuery(Name = "course_id")] long? courseId = null,
        [FromQuery(Name = "due_after")] DateTime? dueAfter = null,
        [FromQuery(Name = "due_before")] DateTime? dueBefore = null,
        [FromQuery(Name = "include_completed")] bool includeCompleted = false)
    {
        if (Paging.CheckLimit(limit) is { } badLimit) return badLimit;
        if (!Paging.TryDecodeDue(cursor, out var after)) return Paging.BadCursor();
        if (dueAfter > dueBefore) return Problems.Field("due_before", "due_before must not be earlier than due_after");
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();

        var from = dueAfter?.ToUniversalTime();
        var to = dueBefore?.ToUniversalTime();
        var query = db.Tasks.AsNoTracking().Where(t => t.ConnectionId == me.Id && t.DeletedAt == null);
        if (courseId is { } course) query = query.Where(t => t.ExternalCourseId == course);
        if (from is not null) query = query.Where(t => t.DueDate >= from);
        if (to is not null) query = query.Where(t => t.DueDate <= to);
        if (!includeCompleted) query = query.Where(t => !(t.UserCompleted ?? t.Completed));
        // Dated, then undated, each an index range (see the assignments listing).
        var rows = new List<PlannerTask>();
        if (after?.Due is not null || after is null)
        {
            var dated = query.Where(t => t.DueDate != null);
            if (after is { Due: { } d, Id: var i }) dated = dated.Where(t => t.DueDate > d || (t.DueDate == d && t.Id > i));
            rows.AddRange(await dated.OrderBy(t => t.DueDate).ThenBy(t => t.Id).Take(limit + 1).ToListAsync(ct));
        }

        if (rows.Count <= limit && from is null && to is null)
        {
            var undatedAfter = after is { Due: null } ? after.Id : long.MinValue;
            rows.AddRange(await query.Where(t => t.DueDate == null && t.Id > undatedAfter).OrderBy(t => t.Id).Take(limit + 1 - rows.Count)
                .ToListAsync(ct));
        }

        var items = rows.Take(limit).Select(t => t.AsView()).ToList();
        return TypedResults.Ok(new Page<TaskView>(items, rows.Count > limit ? Paging.Encode(items[^1].DueDate, items[^1].Id) : null));
    }
}
