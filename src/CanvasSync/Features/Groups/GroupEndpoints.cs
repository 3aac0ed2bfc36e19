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

namespace CanvasSync.Features.Groups;

/// <summary>/api/v1/canvas/courses/{id}/groups: a course's groups with their members, from the mirror.</summary>
internal static class GroupEndpoints
{
    public static RouteGroupBuilder MapGroups(this IEndpointRouteBuilder app)
    {
        var canvas = app.MapApiGroup("/api/v1/canvas", "Groups");
        canvas.MapGet("/courses/{id:long}/groups", ListAsync).ProducesProblem(StatusCodes.Status404NotFound);
        return canvas;
    }

    private static async Task<Results<Ok<List<GroupView>>, ProblemHttpResult>> ListAsync(long id, ClaimsPrincipal caller,
        CanvasSyncDbContext db, CancellationToken ct)
    {
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();
        if (!await db.Courses.AnyAsync(c => c.ConnectionId == me.Id && c.CanvasId == id && c.DeletedAt == null, ct))
            return CourseEndpoints.NotFound(id);
        return TypedResults.Ok(await GroupViews.OfCourseAsync(db, me, id, ct));
    }
}
