using System.Globalization;
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

namespace CanvasSync.Features.Submissions;

/// <summary>A submission as Canvas showed it to the caller (a student sees their own; a teacher every student's).</summary>
internal sealed record SubmissionView(long Id, long CourseId, long AssignmentId, long UserId, string WorkflowState, double? Score,
    string? Grade,
    DateTime? SubmittedAt, DateTime? GradedAt, DateTime? PostedAt, bool Late, bool Missing, bool Excused, DateTime ChangedAt);

/// <summary>/api/v1/canvas/submissions: from the mirror, by id, a page at a time.</summary>
internal static class SubmissionEndpoints
{
    public static SubmissionView AsView(this Submission s) =>
        new(s.CanvasId, s.CourseCanvasId, s.AssignmentCanvasId, s.UserCanvasId, s.WorkflowState,
        s.Score, s.Grade, s.SubmittedAt, s.GradedAt, s.PostedAt, s.Late, s.Missing, s.Excused, s.ChangedAt);

    public static RouteGroupBuilder MapSubmissions(this IEndpointRouteBuilder app)
    {
        var canvas = app.MapApiGroup("/api/v1/canvas", "Submissions");
        canvas.MapGet("/submissions", ListAsync);
        return canvas;
    }

    private static async Task<Results<Ok<Page<SubmissionView>>, ProblemHttpResult>> ListAsync(ClaimsPrincipal caller,
        CanvasSyncDbContext db, CancellationToken ct,
        int limit = Paging.DefaultLimit, string? cursor = null,
        [FromQuery(Name = "course_id")] long? courseId = null,
        [FromQuery(Name = "assignment_id")] long? assignmentId = null,
        [FromQuery(Name = "user_id")] long? userId = null,
        [FromQuery(Name = "workflow_state")] string? workflowState = null,
        [FromQuery(Name = "updated_since")] DateTime? updatedSince = null)
    {
        if (Paging.CheckLimit(limit) is { } badLimit) return badLimit;
        long after = 0;
        if (cursor is not null && (Paging.Decode(cursor, 1) is not [var last]
            || !long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
            return Paging.BadCursor();
        if (workflowState is not (null or "unsubmitted" or "submitted" or "graded" or "pending_review"))
            return Problems.Field("workflow_state", "workflow_state must be one of unsubmitted, submitted, graded, pending_review");
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();

        var since = updatedSince?.ToUniversalTime();
        var query = db.Submissions.AsNoTracking().Where(s => s.ConnectionId == me.Id && s.DeletedAt == null && s.CanvasId > after);
        if (courseId is { } c) query = query.Where(s => s.CourseCanvasId == c);
        if (assignmentId is { } a) query = query.Where(s => s.AssignmentCanvasId == a);
        if (userId is { } u) query = query.Where(s => s.UserCanvasId == u);
        if (workflowState is not null) query = query.Where(s => s.WorkflowState == workflowState);
        if (since is not null) query = query.Where(s => s.ChangedAt >= since);
        var rows = await query.OrderBy(s => s.CanvasId).Take(limit + 1).ToListAsync(ct);
        var items = rows.Take(limit).Select(s => s.AsView()).ToList();
        return TypedResults.Ok(new Page<SubmissionView>(items, rows.Count > limit ? Paging.Encode(items[^1].Id) : null));
    }
}
