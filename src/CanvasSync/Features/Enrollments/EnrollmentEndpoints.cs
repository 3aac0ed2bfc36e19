using System.Security.Claims;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Courses;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Enrollments;

/// <summary>/api/v1/canvas/grades (the caller's own) and /api/v1/canvas/courses/{id}/enrollments (a course's roster with grades).</summary>
internal static class EnrollmentEndpoints
{
    public static RouteGroupBuilder MapEnrollments(this IEndpointRouteBuilder app)
    {
        var canvas = app.MapApiGroup("/api/v1/canvas", "Enrollments and grades");
        canvas.MapGet("/grades", GradesAsync);
        canvas.MapGet("/courses/{id:long}/enrollments", RosterAsync).ProducesProblem(StatusCodes.Status404NotFound);
        return canvas;
    }

    /// <summary>The caller's grades in each course they take as a student, by course name.</summary>
    private static async Task<Results<Ok<List<CourseGradesView>>, ProblemHttpResult>> GradesAsync(ClaimsPrincipal caller,
        CanvasSyncDbContext db, CancellationToken ct)
    {
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();
        return TypedResults.Ok(await EnrollmentViews.OwnGradesAsync(db, me, ct));
    }

    /// <summary>
    /// Everyone enrolled in the course, by sortable name. Grades are what Canvas showed the caller: a teacher sees every
    /// student's, a student only their own.
    /// </summary>
    private static async Task<Results<Ok<List<EnrollmentView>>, ProblemHttpResult>> RosterAsync(long id, ClaimsPrincipal caller,
        CanvasSyncDbContext db,
        CancellationToken ct, string? type = null)
    {
        if (type is not (null or "student" or "teacher" or "ta" or "designer" or "observer"))
            return Hosting.Problems.Field("type", "type must be one of student, teacher, ta, designer, observer");
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();
        if (!await db.Courses.AnyAsync(c => c.ConnectionId == me.Id && c.CanvasId == id && c.DeletedAt == null, ct))
            return CourseEndpoints.NotFound(id);

        var roster = await EnrollmentViews.RosterAsync(db, me, id, ct);
        return TypedResults.Ok(roster.Where(v => type is null || v.Role == type).ToList());
    }
}
