using System.Globalization;
using System.Text.RegularExpressions;
using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Api;

/// <summary>GET /courses/:id/students/submissions (docs/canvas.md §5.5).</summary>
internal static partial class SubmissionsApi
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")]
    private static partial Regex Iso8601();

    private static readonly TimeZoneInfo UserZone = TimeZoneInfo.FindSystemTimeZoneById("America/Denver");

    public static void Map(SandboxRoutes routes) => routes.Get("/api/v1/courses/{courseId}/students/submissions", List);

    private static CanvasResponse List(CanvasRequest r)
    {
        DateTime? gradedSince = null, submittedSince = null;
        foreach (var name in new[] { "graded_since", "submitted_since" })
        {
            if (r.Query.Get(name) is not { } raw) continue;
            if (!TryParseCanvasTime(raw, out var t))
                return CanvasErrors.BadRequest($$$"""{"errors":{"{{{name}}}":"Invalid datetime for {{{name}}}"}}""");
            if (name == "graded_since") gradedSince = t; else submittedSince = t;
        }

        var enrollmentState = r.Query.Get("enrollment_state");
        if (enrollmentState is not null and not ("active" or "concluded"))
            return CanvasErrors.BadRequest("""{"errors":[{"message":"enrollment_state must be one of active, concluded"}]}""");
        var requested = r.Query.GetArray("student_ids");
        if (requested.Count > 100 && !requested.Contains("all")) return CanvasErrors.BadRequest("""{"error":"too many students"}""");

        using (r.World.Read())
        {
            if (Access.Course(r, r.CourseIdFromRoute(), out var course, out var role) is { } error) return error;
            var world = r.World;

            // Which students: teachers with "all" get every non-deleted student enrollment, whatever its state.
            var enrollments = world.EnrollmentsInCourse(course.Id).Where(e => e.IsStudentType && e.State != "deleted").ToList();
            if (enrollmentState == "active") enrollments = enrollments.Where(e => e.State is "active" or "invited").ToList();
            if (enrollmentState == "concluded") enrollments = enrollments.Where(e => e.State == "completed").ToList();
            HashSet<long> students;
            if (role == CourseRole.Observer)
            {
                // An observer reads their observees' rows: "all" means them, and their own (none) is a 401.
                var observees = Access.Observees(world, r.User.Id, course.Id);
                if (requested.Count == 0) return CanvasErrors.Unauthorized();
                var asked = requested.Contains("all") ? observees
                    : requested.Select(s => long.TryParse(s, out var id) ? id : -1).ToHashSet();
                if (!asked.IsSubsetOf(observees)) return CanvasErrors.Unauthorized();
                students = asked.Where(id => enrollments.Any(e => e.UserId == id)).ToHashSet();
            }
            else if (requested.Count == 0 || (requested.Contains("all") && role == CourseRole.Student)) students = [r.User.Id];
            else if (requested.Contains("all")) students = enrollments.Select(e => e.UserId).ToHashSet();
            else
            {
                var ids = requested.Select(s => long.TryParse(s, out var id) ? id : -1).ToHashSet();
                if (role == CourseRole.Student && ids.Any(id => id != r.User.Id)) return CanvasErrors.Unauthorized();
                students = ids.Where(id => enrollments.Any(e => e.UserId == id)).ToHashSet();
            }

            // Only published assignments count; unknown or unpublished ids are a 403.
            var published = world.AssignmentsInCourse(course.Id).Where(a => a.Published && !a.Deleted).ToDictionary(a => a.Id);
            var assignmentIds = r.Query.GetArray("assignment_ids");
            HashSet<long>? onlyAssignments = null;
            if (assignmentIds.Count > 0)
            {
                onlyAssignments = assignmentIds.Select(s => long.TryParse(s, out var id) ? id : -1).ToHashSet();
                if (onlyAssignments.Any(id => !published.ContainsKey(id)))
                    return CanvasErrors.Forbidden("""{"error":"invalid assignment ids requested"}""");
            }

            var workflowState = r.Query.Get("workflow_state");
            bool Row(SSubmission s) =>
                students.Contains(s.UserId) && published.ContainsKey(s.AssignmentId)
                && (onlyAssignments is null || onlyAssignments.Contains(s.AssignmentId))
                && (gradedSince is null || (s.GradedAt is { } g && g > gradedSince))
                && (submittedSince is null || (s.SubmittedAt is { } t && t > submittedSince))
                && (workflowState is null || s.WorkflowState == workflowState);
            // Visibility is checked after pagination, so a page can be short and still have a next link.
            bool Visible(SSubmission s) => published[s.AssignmentId].IsVisibleTo(s.UserId);
            void Write(System.Text.Json.Utf8JsonWriter w, SSubmission s) =>
                CanvasJson.Submission(w, s, Access.HideGrade(published[s.AssignmentId], s, role), r.BaseUrl);

            if (r.Query.Get("grouped") is "1" or "true")
                return Grouped(r, enrollments.Where(e => students.Contains(e.UserId)).ToList(), Row, Visible, Write);

            var ids2 = world.SubmissionIdsInCourse(course.Id);
            var rows = new SubmissionList(world, ids2);
            if (r.Query.Get("order_direction") == "descending")
            {
                var all = rows.Where(Row).ToList();
                if (r.Query.Get("order") == "graded_at") all = all.OrderByDescending(s => s.GradedAt).ThenByDescending(s => s.Id).ToList();
                else all.Reverse();
                return Paginator.Numbered(r, all.Where(Visible).ToList(), Write);
            }

            BookmarkPage<SSubmission> page;
            if (r.Query.Get("order") == "graded_at")
            {
                // GradedAtBookmarker: (graded_at with microseconds, id); ungraded rows have no place in it.
                var sorted = rows.Where(s => s.GradedAt is not null && Row(s)).OrderBy(s => s.GradedAt).ThenBy(s => s.Id).ToList();
                page = Paginator.Bookmark(r.Query, sorted, s =>
                    BookmarkKey.Of(s.GradedAt!.Value.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture), s.Id));
            }
            else page = Paginator.Bookmark(r.Query, rows, s => BookmarkKey.Of(s.Id), Row);

            var response = CanvasResponse.Array(page.Items.Where(Visible), Write);
            Paginator.AddBookmarkLinks(r, response, page);
            return response;
        }
    }

    /// <summary>grouped=1: numbered over student enrollments; seen users are de-duplicated within a page only.</summary>
    private static CanvasResponse Grouped(CanvasRequest r, List<SEnrollment> enrollments, Func<SSubmission, bool> row,
        Func<SSubmission, bool> visible, Action<System.Text.Json.Utf8JsonWriter, SSubmission> write)
    {
        var ordered = enrollments.OrderBy(e => e.UserId).ThenBy(e => e.Id).ToList();
        var perPage = Paginator.PerPage(r.Query);
        var page = int.TryParse(r.Query.Get("page") ?? "1", out var p) ? p : 1;
        var onPage = ordered.Skip((page - 1) * perPage).Take(perPage).DistinctBy(e => e.UserId).ToList();
        var onPageIds = onPage.Select(e => e.Id).ToHashSet();
        var response = Paginator.Numbered(r, ordered, (w, e) =>
        {
            if (!onPageIds.Contains(e.Id)) return;
            w.WriteStartObject();
            w.WriteNumber("user_id", e.UserId);
            w.WriteNumber("section_id", e.SectionId);
            w.WriteStartArray("submissions");
            foreach (var s in r.World.SubmissionsOf(e.CourseId, e.UserId).Where(s => row(s) && visible(s))) write(w, s);
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return response;
    }

    /// <summary>Canvas's ISO8601_REGEX; a value without a zone is in the user's time zone.</summary>
    public static bool TryParseCanvasTime(string raw, out DateTime utc)
    {
        utc = default;
        if (!Iso8601().IsMatch(raw)) return false;
        var hasZone = raw.EndsWith('Z') || Regex.IsMatch(raw, @"[+-]\d{2}:?\d{2}$");
        if (hasZone)
        {
            if (!DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dto)) return false;
            utc = dto.UtcDateTime;
            return true;
        }

        if (!DateTime.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return false;
        utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), UserZone);
        return true;
    }

    /// <summary>A course's submissions in id order, read through the id index without copying.</summary>
    private sealed class SubmissionList(SandboxWorld world, IReadOnlyList<long> ids) : IReadOnlyList<SSubmission>
    {
        public SSubmission this[int index] => world.Submissions[ids[index]];
        public int Count => ids.Count;
        public IEnumerator<SSubmission> GetEnumerator() => ids.Select(id => world.Submissions[id]).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
