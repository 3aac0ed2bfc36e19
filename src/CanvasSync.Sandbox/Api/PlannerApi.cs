using System.Globalization;
using System.Text.Json;
using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Api;

/// <summary>
/// GET /planner/items (docs/canvas.md §5.8): bookmark-paged; no dates means [today-2 weeks, today+2 weeks), one date
/// means the other is 10 years away; quizzes and discussions are keyed by the quiz or topic id, not the assignment id.
/// </summary>
internal static class PlannerApi
{
    public static void Map(SandboxRoutes routes) => routes.Get("/api/v1/planner/items", List);

    private sealed record Item(string Type, long PlannableId, DateTime Date, SCourse? Course, SAssignment? Assignment, SPlannerNote? Note,
        SSubmission? Submission);

    private static CanvasResponse List(CanvasRequest r)
    {
        DateTime? start = null, end = null;
        foreach (var name in new[] { "start_date", "end_date" })
        {
            if (r.Query.Get(name) is not { } raw) continue;
            if (!DateTime.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal,
                out var t))
                return CanvasErrors.BadRequest($$"""{"errors":"Invalid date or datetime for {{name}}"}""");
            if (name == "start_date") start = t; else end = t;
        }

        var today = r.Now.Date;
        (start, end) = (start, end) switch
        {
            (null, null) => (today.AddDays(-14), today.AddDays(14)),
            ({ } s, null) => (s, s.AddYears(10)),
            (null, { } e) => (e.AddYears(-10), e),
            _ => (start, end),
        };
        var contexts = r.Query.GetArray("context_codes");
        var includeConcluded = r.Query.Includes("concluded");

        using (r.World.Read())
        {
            if (Named(r, contexts) is not { } named) return CanvasErrors.Unauthorized();
            var items = Collect(r, includeConcluded, named)
                .Where(i => i.Date >= start && i.Date < end)
                .Where(i => contexts.Count == 0 || contexts.Contains(i.Course is null ? $"user_{r.User.Id}" : $"course_{i.Course.Id}"))
                .OrderBy(i => i.Date).ThenBy(i => i.Type, StringComparer.Ordinal).ThenBy(i => i.PlannableId)
                .ToList();
            var page = Paginator.Bookmark(r.Query, items, i =>
                BookmarkKey.Of(i.Date.ToString("O", CultureInfo.InvariantCulture), i.Type, i.PlannableId));
            var response = CanvasResponse.Array(page.Items, (w, i) => Write(w, i, r));
            Paginator.AddBookmarkLinks(r, response, page);
            return response;
        }
    }

    /// <summary>
    /// The courses context_codes[] names that the caller reads as a student, or null (401) when it names a context
    /// that exists and the caller may not read (planner_controller set_params: an id that finds nothing is dropped).
    /// A named context the todo lists leave out is added back when the caller may read it: a concluded course's items
    /// come when it is named, without include[]=concluded.
    /// </summary>
    private static HashSet<long>? Named(CanvasRequest r, IReadOnlyCollection<string> contexts)
    {
        var world = r.World;
        var courses = new HashSet<long>();
        foreach (var code in contexts)
        {
            var at = code.LastIndexOf('_');
            if (at <= 0 || !long.TryParse(code[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id)) continue;
            switch (code[..at])
            {
                case "course" when world.Courses.ContainsKey(id):
                    if (Access.Course(r, id, out _, out var role) is not null) return null;
                    // Only a student's courses hold planner items here (assignments as the student sees them).
                    if (role == CourseRole.Student) courses.Add(id);
                    break;
                case "user" when id != r.User.Id && world.Users.ContainsKey(id):
                case "group" when world.Groups.ContainsKey(id)
                    && !world.MembershipsInGroup(id).Any(m => m.UserId == r.User.Id && m.State == "accepted"):
                    return null;
            }
        }

        return courses;
    }

    private static IEnumerable<Item> Collect(CanvasRequest r, bool includeConcluded, HashSet<long> named)
    {
        var world = r.World;
        var studentCourses = world.EnrollmentsOfUser(r.User.Id)
            .Where(e => e.IsStudentType && (e.State == "active" || (named.Contains(e.CourseId) && e.State != "deleted")))
            .Select(e => world.Courses[e.CourseId])
            .Where(c => c.WorkflowState == "available" || (includeConcluded && c.WorkflowState == "completed") || named.Contains(c.Id))
            .Where(c => !Access.IsRestrictedByDate(c, Access.MyEnrollments(world, r.User.Id, c.Id), r.Now))
            .DistinctBy(c => c.Id);
        foreach (var course in studentCourses)
        {
            // The student's own due date: an override's when they have one (Assignment#overridden_for).
            foreach (var a in world.AssignmentsInCourse(course.Id)
                .Where(a => a is { Published: true, Deleted: false } && a.DueAtFor(r.User.Id) is not null && a.IsVisibleTo(r.User.Id)))
            {
                var (type, id) = a.QuizId is { } q ? ("quiz", q) : a.DiscussionTopicId is { } d ? ("discussion_topic", d)
                    : ("assignment", a.Id);
                var sub = world.SubmissionByKey.TryGetValue((a.Id, r.User.Id), out var sid) ? world.Submissions[sid] : null;
                yield return new Item(type, id, a.DueAtFor(r.User.Id)!.Value, course, a, null, sub);
            }
        }

        foreach (var note in world.PlannerNotesOf(r.User.Id))
            yield return new Item("planner_note", note.Id, note.TodoDate, note.CourseId is { } c ? world.Courses[c] : null, null, note,
                null);
    }

    private static void Write(Utf8JsonWriter w, Item i, CanvasRequest r)
    {
        w.WriteStartObject();
        w.WriteString("context_type", i.Course is null ? "User" : "Course");
        if (i.Course is not null) w.WriteNumber("course_id", i.Course.Id);
        else w.WriteNumber("user_id", r.User.Id);
        w.WriteNumber("plannable_id", i.PlannableId);
        w.WriteNull("planner_override");
        w.WriteString("plannable_type", i.Type);
        w.WriteBoolean("new_activity", false);
        if (i.Assignment is null) w.WriteBoolean("submissions", false);
        else
        {
            var s = i.Submission;
            w.WriteStartObject("submissions");
            w.WriteBoolean("submitted", s?.SubmittedAt is not null);
            w.WriteBoolean("excused", s?.Excused ?? false);
            w.WriteBoolean("graded", s?.WorkflowState == "graded");
            w.WriteTime("posted_at", s?.PostedAt);
            w.WriteBoolean("late", s?.Late ?? false);
            w.WriteBoolean("missing", s?.Missing ?? false);
            w.WriteBoolean("needs_grading", s?.WorkflowState is "submitted" or "pending_review");
            w.WriteBoolean("has_feedback", false);
            w.WriteBoolean("redo_request", false);
            w.WriteEndObject();
        }

        w.WriteTime("plannable_date", i.Date);
        w.WriteStartObject("plannable");
        w.WriteNumber("id", i.PlannableId);
        if (i.Assignment is { } a)
        {
            w.WriteString("title", a.Name);
            w.WriteTime("due_at", i.Date);
            w.WriteFloat("points_possible", a.PointsPossible);
            if (i.Type != "assignment") w.WriteNumber("assignment_id", a.Id);
        }
        else
        {
            w.WriteString("title", i.Note!.Title);
            w.WriteStringOrNull("details", i.Note.Details);
            w.WriteTime("todo_date", i.Note.TodoDate);
        }

        w.WriteEndObject();
        var html = i.Type switch
        {
            "quiz" => $"/courses/{i.Course!.Id}/quizzes/{i.PlannableId}",
            "discussion_topic" => $"/courses/{i.Course!.Id}/discussion_topics/{i.PlannableId}",
            "planner_note" => $"/api/v1/planner_notes/{i.PlannableId}",
            _ => $"/courses/{i.Course!.Id}/assignments/{i.PlannableId}",
        };
        w.WriteString("html_url", html);
        w.WriteString("context_name", i.Course?.Name ?? r.User.Name);
        w.WriteNull("context_image");
        w.WriteEndObject();
    }
}
