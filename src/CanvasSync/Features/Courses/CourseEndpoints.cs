using System.Security.Claims;
using CanvasSync.Data;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Courses;

internal sealed record CourseCounts(int Assignments, int Students, int Groups);

internal sealed record CourseDetailView(CourseView Course, IReadOnlyList<AssignmentGroupView> AssignmentGroups, CourseCounts Counts);

/// <summary>/api/v1/canvas/courses: the caller's courses from the mirror (never from Canvas).</summary>
internal static class CourseEndpoints
{
    public static RouteGroupBuilder MapCourses(this IEndpointRouteBuilder app)
    {
        var canvas = app.MapApiGroup("/api/v1/canvas", "Courses");
        canvas.MapGet("/courses", ListAsync);
        canvas.MapGet("/courses/{id:long}", GetAsync).ProducesProblem(StatusCodes.Status404NotFound);
        return canvas;
    }

    /// <summary>Every course Canvas lists for the caller (concluded ones too), by name; <paramref name="termId"/> narrows to one
    /// term.</summary>
    private static async Task<Results<Ok<List<CourseView>>, ProblemHttpResult>> ListAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        CancellationToken ct,
        [FromQuery(Name = "term_id")] long? termId = null)
    {
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();
        return TypedResults.Ok(await CourseViews.ListAsync(db, me, termId, ct));
    }

    private static async Task<Results<Ok<CourseDetailView>, ProblemHttpResult>> GetAsync(long id, ClaimsPrincipal caller,
        CanvasSyncDbContext db, CancellationToken ct)
    {
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();
        var course = await db.Courses.AsNoTracking()
            .FirstOrDefaultAsync(c => c.ConnectionId == me.Id && c.CanvasId == id && c.DeletedAt == null, ct);
        if (course is null) return NotFound(id);

        var groups = await db.AssignmentGroups.AsNoTracking()
            .Where(g => g.ConnectionId == me.Id && g.CourseCanvasId == id && g.DeletedAt == null)
            .OrderBy(g => g.Position).ThenBy(g => g.CanvasId).ToListAsync(ct);
        var counts = new CourseCounts(
            await db.Assignments.CountAsync(a => a.ConnectionId == me.Id && a.CourseCanvasId == id && a.DeletedAt == null, ct),
            await db.Enrollments.CountAsync(e => e.ConnectionId == me.Id && e.CourseCanvasId == id && e.DeletedAt == null
                && e.Type == "StudentEnrollment", ct),
            await db.Groups.CountAsync(g => g.ConnectionId == me.Id && g.CourseCanvasId == id && g.DeletedAt == null, ct));
        var view = (await CourseViews.BuildAsync(db, me, [course], ct))[0];
        return TypedResults.Ok(new CourseDetailView(view, groups.Select(g => g.AsView()).ToList(), counts));
    }

    /// <summary>A course the caller does not have (someone else's, deleted, or never seen) is the same 404.</summary>
    public static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem($"no course {id} in your synced Canvas data", statusCode: StatusCodes.Status404NotFound);
}
