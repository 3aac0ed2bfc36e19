using System.Text.Json;
using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Api;

/// <summary>Assignments and assignment groups (docs/canvas.md §5.3, §5.4).</summary>
internal static class AssignmentsApi
{
    private static readonly HashSet<string> Buckets = ["past", "overdue", "undated", "ungraded", "unsubmitted", "upcoming", "future"];

    public static void Map(SandboxRoutes routes)
    {
        routes.Get("/api/v1/courses/{courseId}/assignments", r => List(r, groupId: null));
        routes.Get("/api/v1/courses/{courseId}/assignment_groups/{groupId}/assignments", r => List(r, r.IdFromRoute("groupId") ?? -1));
        routes.Get("/api/v1/courses/{courseId}/assignment_groups", ListGroups);
    }

    private static CanvasResponse List(CanvasRequest r, long? groupId)
    {
        var bucket = r.Query.Get("bucket");
        if (bucket is not null && !Buckets.Contains(bucket))
            return CanvasErrors.BadRequest("""{"errors":[{"message":"bucket name must be one of the following: past, overdue, undated, ungraded, unsubmitted, upcoming, future"}]}""");
        var ids = r.Query.GetArray("assignment_ids");
        if (ids.Count > 100) return CanvasErrors.BadRequest("""{"message":"Request contains too many assignment_ids.  Limit 100"}""");

        using (r.World.Read())
        {
            if (Access.Course(r, r.CourseIdFromRoute(), out var course, out var role) is { } error) return error;
            if (groupId is not null && !(r.World.AssignmentGroups.TryGetValue(groupId.Value, out var g) && g.CourseId == course.Id))
                return CanvasErrors.NotFound();

            var list = Access.VisibleAssignments(r, course, role).Where(a => groupId is null || a.AssignmentGroupId == groupId).ToList();
            if (ids.Count > 0) list = list.Where(a => ids.Contains(a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .ToList();
            if (r.Query.Get("search_term") is { Length: > 0 } term)
                list = list.Where(a => a.Name.Contains(term, StringComparison.OrdinalIgnoreCase)).ToList();
            var students = DueDatesOf(r, role, course.Id);
            DateTime? DueAt(SAssignment a) => a.DueAtSeenBy(students, role == CourseRole.Teacher);
            if (bucket is not null) list = list.Where(a => InBucket(r, a, DueAt(a), bucket)).ToList();
            list = r.Query.Get("order_by") switch
            {
                "name" => list.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase).ThenBy(a => a.Id).ToList(),
                "due_at" => list.OrderBy(a => DueAt(a) ?? DateTime.MaxValue).ThenBy(a => a.Id).ToList(),
                _ => list,
            };
            var writer = AssignmentWriter(r, role, students);
            return Paginator.Numbered(r, list, writer);
        }
    }

    /// <summary>
    /// Writes an assignment as the caller sees it, with include[]=submission for students and the due date the
    /// overrides of <paramref name="students"/> (<see cref="DueDatesOf"/>) give them.
    /// </summary>
    internal static Action<Utf8JsonWriter, SAssignment> AssignmentWriter(CanvasRequest r, CourseRole role,
        IReadOnlyCollection<long> students)
    {
        var includeSubmission = r.Query.Includes("submission");
        var teacher = role == CourseRole.Teacher;
        return (w, a) =>
        {
            SSubmission? own = null;
            if (includeSubmission && !teacher && r.World.SubmissionByKey.TryGetValue((a.Id, r.User.Id), out var sid))
                own = r.World.Submissions[sid];
            CanvasJson.Assignment(w, a, a.DueAtSeenBy(students, teacher), teacher, r.Now, own, includeSubmission,
                own is not null && Access.HideGrade(a, own, role), r.BaseUrl);
        };
    }

    /// <summary>Whose overrides apply to the caller's due dates (override_assignment_dates, true by default).</summary>
    private static IReadOnlyCollection<long> DueDatesOf(CanvasRequest r, CourseRole role, long courseId) =>
        r.Query.Get("override_assignment_dates") == "false" ? [] : role switch
        {
            CourseRole.Student => [r.User.Id],
            CourseRole.Observer => Access.Observees(r.World, r.User.Id, courseId),
            _ => [],
        };

    private static bool InBucket(CanvasRequest r, SAssignment a, DateTime? dueAt, string bucket)
    {
        var submitted = r.World.SubmissionByKey.TryGetValue((a.Id, r.User.Id), out var sid)
            && r.World.Submissions[sid].SubmittedAt is not null;
        return bucket switch
        {
            "past" => dueAt < r.Now,
            "overdue" => dueAt < r.Now && !submitted,
            "undated" => dueAt is null,
            "ungraded" => submitted && r.World.Submissions[sid].Score is null,
            "unsubmitted" => !submitted,
            "upcoming" => dueAt >= r.Now && dueAt < r.Now.AddDays(7),
            _ => dueAt >= r.Now,
        };
    }

    private static CanvasResponse ListGroups(CanvasRequest r)
    {
        using (r.World.Read())
        {
            if (Access.Course(r, r.CourseIdFromRoute(), out var course, out var role) is { } error) return error;
            var groups = r.World.AssignmentGroupsInCourse(course.Id).OrderBy(g => g.Position).ThenBy(g => g.Id).ToList();
            var nest = r.Query.Includes("assignments");
            var visible = nest ? Access.VisibleAssignments(r, course, role) : [];
            var writer = AssignmentWriter(r, role, DueDatesOf(r, role, course.Id));
            return Paginator.Numbered(r, groups, (w, g) => CanvasJson.AssignmentGroup(w, g,
                nest ? visible.Where(a => a.AssignmentGroupId == g.Id).Select(a => (Action<Utf8JsonWriter>)(x => writer(x, a))) : null));
        }
    }
}
