using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Api;

/// <summary>Enrollments of a course or of the caller (docs/canvas.md §5.6): bookmark-paged on (type, sortable_name, id).</summary>
internal static class EnrollmentsApi
{
    private static readonly HashSet<string> States =
        ["active", "invited", "creation_pending", "deleted", "rejected", "completed", "inactive"];
    private static readonly HashSet<string> UserStates = ["current_and_invited", "current_and_future", "current_and_concluded"];

    public static void Map(SandboxRoutes routes)
    {
        routes.Get("/api/v1/courses/{courseId}/enrollments", ForCourse);
        routes.Get("/api/v1/users/{userId}/enrollments", ForUser);
    }

    private static CanvasResponse ForCourse(CanvasRequest r)
    {
        if (InvalidState(r, userPath: false) is { } bad) return bad;
        using (r.World.Read())
        {
            if (Access.Course(r, r.CourseIdFromRoute(), out var course, out var role) is { } error) return error;
            if (!Access.ReadsRoster(role)) return CanvasErrors.Unauthorized();
            var states = WantedStates(r, role == CourseRole.Teacher);
            var list = Filter(r, r.World.EnrollmentsInCourse(course.Id), states);
            return Page(r, list, e => Access.GradeView(e, course, role, r.User.Id));
        }
    }

    private static CanvasResponse ForUser(CanvasRequest r)
    {
        if (r.Route("userId") is var id && id != "self" && id != r.User.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))
            return CanvasErrors.Unauthorized();
        if (InvalidState(r, userPath: true) is { } bad) return bad;
        using (r.World.Read())
        {
            var raw = r.Query.GetArray("state");
            var states = raw.Count == 0 ? ["active", "invited", "creation_pending"] : raw.SelectMany(s => s switch
            {
                "current_and_invited" => ["active", "invited"],
                "current_and_future" => new[] { "active", "invited", "creation_pending" },
                "current_and_concluded" => ["active", "completed"],
                _ => [s],
            }).ToHashSet();
            var mine = r.World.EnrollmentsOfUser(r.User.Id)
                .Where(e => r.World.Courses[e.CourseId].WorkflowState != "unpublished" || e.Type == "TeacherEnrollment");
            return Page(r, Filter(r, mine, states.ToHashSet()), e => Access.GradeView(e, r.World.Courses[e.CourseId],
                e.Type == "TeacherEnrollment" ? CourseRole.Teacher : CourseRole.Student, r.User.Id));
        }
    }

    private static CanvasResponse? InvalidState(CanvasRequest r, bool userPath)
    {
        foreach (var s in r.Query.GetArray("state"))
        {
            if (!States.Contains(s) && !(userPath && UserStates.Contains(s)))
                return CanvasErrors.BadRequest($$"""{"error":"Invalid state {{s}}"}""");
        }

        return null;
    }

    /// <summary>Default: active, invited, creation_pending; teachers also get inactive. completed and deleted only when asked.</summary>
    private static HashSet<string> WantedStates(CanvasRequest r, bool teacher)
    {
        var raw = r.Query.GetArray("state");
        if (raw.Count > 0) return raw.ToHashSet();
        return teacher ? ["active", "invited", "creation_pending", "inactive"] : ["active", "invited", "creation_pending"];
    }

    private static List<SEnrollment> Filter(CanvasRequest r, IEnumerable<SEnrollment> source, HashSet<string> states)
    {
        var types = r.Query.GetArray("type");
        var roles = r.Query.GetArray("role");
        var userId = r.Query.Get("user_id");
        return source.Where(e => states.Contains(e.State)
                && (types.Count == 0 || types.Contains(e.Type))
                && (roles.Count == 0 || roles.Contains(e.Role))
                && (userId is null || userId == e.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(e => e.Type, StringComparer.Ordinal)
            .ThenBy(e => r.World.Users[e.UserId].SortableName, StringComparer.Ordinal)
            .ThenBy(e => e.Id)
            .ToList();
    }

    private static CanvasResponse Page(CanvasRequest r, List<SEnrollment> sorted, Func<SEnrollment, EnrollmentGradeView> view)
    {
        var page = Paginator.Bookmark(r.Query, sorted, e => BookmarkKey.Of(e.Type, r.World.Users[e.UserId].SortableName, e.Id));
        var response = CanvasResponse.Array(page.Items, (w, e) => CanvasJson.Enrollment(w, e, r.World.Users[e.UserId], view(e), r.BaseUrl));
        Paginator.AddBookmarkLinks(r, response, page);
        return response;
    }
}
