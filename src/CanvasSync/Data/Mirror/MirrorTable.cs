using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CanvasSync.Canvas;
using CanvasSync.Canvas.Wire;
using CanvasSync.Features.Assignments;

namespace CanvasSync.Data.Mirror;

/// <summary>
/// One mirrored item ready to write: its key, its JSON as served, and its typed column values in table order. Values
/// that cost work (a rendered description) can be given as a function: the writer asks for them only for rows it
/// writes, never for the unchanged ones a delta reads again.
/// </summary>
public sealed record MirrorRow(long CanvasId, string RawJson, Func<object?[]> MakeValues, string? PlannableType = null)
{
    private object?[]? _values;

    public MirrorRow(long canvasId, string rawJson, object?[] values, string? plannableType = null) : this(canvasId, rawJson, () => values, plannableType) { }

    public object?[] Values => _values ??= MakeValues();
    public string Key => PlannableType is null ? CanvasId.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{PlannableType}:{CanvasId}";
    public string ContentHash { get; } = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(RawJson)));
}

/// <summary>
/// A mirrored table as the bulk writer sees it: its name, the entity type it counts as, and its typed columns
/// (snake_case, as the migrations name them). The common columns (connection_id, canvas_id, raw_json, content_hash,
/// first/last_seen_at, deleted_at) are implied.
/// </summary>
public sealed record MirrorTable(string Name, string EntityType, string[] Columns, bool KeyedByPlannableType = false)
{
    public static readonly MirrorTable Terms = new("terms", "terms", ["name", "start_at", "end_at"]);
    public static readonly MirrorTable Courses = new("courses", "courses",
        ["name", "course_code", "workflow_state", "term_canvas_id", "start_at", "end_at", "time_zone", "access_restricted_by_date"]);
    public static readonly MirrorTable AssignmentGroups = new("assignment_groups", "assignment_groups", ["course_canvas_id", "name", "position", "group_weight"]);
    public static readonly MirrorTable Assignments = new("assignments", "assignments",
        ["course_canvas_id", "assignment_group_canvas_id", "name", "due_at", "unlock_at", "lock_at", "points_possible", "grading_type",
         "submission_types", "published", "quiz_id", "discussion_topic_id", "canvas_updated_at", "description_html", "description_text"]);
    public static readonly MirrorTable Submissions = new("submissions", "submissions",
        ["course_canvas_id", "assignment_canvas_id", "user_canvas_id", "workflow_state", "score", "grade", "submitted_at", "graded_at",
         "posted_at", "excused", "late", "missing"]);
    public static readonly MirrorTable Enrollments = new("enrollments", "enrollments",
        ["course_canvas_id", "user_canvas_id", "section_canvas_id", "type", "enrollment_state", "role", "current_score", "final_score",
         "current_grade", "final_grade"]);
    public static readonly MirrorTable People = new("canvas_people", "users", ["name", "sortable_name", "short_name"]);
    public static readonly MirrorTable GroupCategories = new("group_categories", "group_categories", ["course_canvas_id", "name", "self_signup", "group_limit"]);
    public static readonly MirrorTable Groups = new("groups", "groups", ["course_canvas_id", "group_category_canvas_id", "name", "members_count"]);
    public static readonly MirrorTable Memberships = new("group_memberships", "group_memberships", ["group_canvas_id", "user_canvas_id", "workflow_state", "moderator"]);
    public static readonly MirrorTable PlannerItems = new("planner_items", "planner_items",
        ["plannable_type", "course_canvas_id", "assignment_canvas_id", "title", "plannable_date"], KeyedByPlannableType: true);
}

/// <summary>Wire items to rows: what each typed column holds. Strings the schema requires default to "".</summary>
public static class MirrorRows
{
    public static MirrorRow Course(CanvasItem<CanvasCourse> i) => new(i.Value.Id, i.RawJson,
    [
        i.Value.Name, i.Value.CourseCode, i.Value.WorkflowState, i.Value.EnrollmentTermId ?? i.Value.Term?.Id, i.Value.StartAt, i.Value.EndAt,
        i.Value.TimeZone, i.Value.AccessRestrictedByDate == true,
    ]);

    /// <summary>The term nested in a course (include[]=term): its own JSON as served.</summary>
    public static MirrorRow? Term(CanvasItem<CanvasCourse> i) => i.Value.Term is { } t
        ? new MirrorRow(t.Id, Nested(i.RawJson, "term"), [t.Name ?? "", t.StartAt, t.EndAt])
        : null;

    public static MirrorRow AssignmentGroup(CanvasItem<CanvasAssignmentGroup> i, long courseId) =>
        new(i.Value.Id, i.RawJson, [courseId, i.Value.Name ?? "", i.Value.Position ?? 0, i.Value.GroupWeight]);

    /// <summary>
    /// The description is rendered here, when the writer writes a new or changed assignment (never for an unchanged
    /// one, and never on a page view).
    /// </summary>
    public static MirrorRow Assignment(CanvasItem<CanvasAssignment> i, string canvasBaseUrl)
    {
        var a = i.Value;
        return new MirrorRow(a.Id, i.RawJson, () =>
        {
            var description = AssignmentDescription.Render(a.Description, canvasBaseUrl);
            return
            [
                a.CourseId, a.AssignmentGroupId, a.Name ?? "", a.DueAt, a.UnlockAt, a.LockAt, a.PointsPossible, a.GradingType,
                string.Join(',', a.SubmissionTypes ?? []), a.Published ?? true, a.QuizId, a.DiscussionTopic?.Id, a.UpdatedAt,
                description.Html, description.Text,
            ];
        });
    }

    public static MirrorRow Submission(CanvasItem<CanvasSubmission> i, long courseId)
    {
        var s = i.Value;
        return new MirrorRow(s.Id, i.RawJson,
        [
            courseId, s.AssignmentId, s.UserId, s.WorkflowState ?? "", s.Score, s.Grade, s.SubmittedAt, s.GradedAt, s.PostedAt,
            s.Excused == true, s.Late == true, s.Missing == true,
        ]);
    }

    public static MirrorRow Enrollment(CanvasItem<CanvasEnrollment> i)
    {
        var e = i.Value;
        return new MirrorRow(e.Id, i.RawJson,
        [
            e.CourseId, e.UserId, e.CourseSectionId, e.Type ?? "", e.EnrollmentState ?? "", e.Role, e.Grades?.CurrentScore, e.Grades?.FinalScore,
            e.Grades?.CurrentGrade, e.Grades?.FinalGrade,
        ]);
    }

    /// <summary>The user nested in an enrollment, as served there.</summary>
    public static MirrorRow? PersonFromEnrollment(CanvasItem<CanvasEnrollment> i) =>
        i.Value.User is { } u ? new MirrorRow(u.Id, Nested(i.RawJson, "user"), [u.Name ?? "", u.SortableName, u.ShortName]) : null;

    public static MirrorRow GroupCategory(CanvasItem<CanvasGroupCategory> i, long courseId) =>
        new(i.Value.Id, i.RawJson, [i.Value.CourseId ?? courseId, i.Value.Name ?? "", i.Value.SelfSignup, i.Value.GroupLimit]);

    public static MirrorRow Group(CanvasItem<CanvasGroup> i, long courseId) =>
        new(i.Value.Id, i.RawJson, [i.Value.CourseId ?? courseId, i.Value.GroupCategoryId, i.Value.Name ?? "", i.Value.MembersCount ?? 0]);

    public static MirrorRow Membership(CanvasItem<CanvasGroupMembership> i) =>
        new(i.Value.Id, i.RawJson, [i.Value.GroupId, i.Value.UserId, i.Value.WorkflowState ?? "", i.Value.Moderator == true]);

    public static MirrorRow PlannerItem(CanvasItem<CanvasPlannerItem> i)
    {
        var p = i.Value;
        // For quizzes and discussions plannable_id is the quiz or topic id; the assignment is plannable.assignment_id.
        var assignmentId = p.PlannableType == "assignment" ? p.PlannableId : p.Plannable?.AssignmentId;
        return new MirrorRow(p.PlannableId, i.RawJson, [p.PlannableType, p.CourseId, assignmentId, p.Plannable?.Title, p.PlannableDate], p.PlannableType);
    }

    private static string Nested(string raw, string property)
    {
        using var doc = JsonDocument.Parse(raw);
        return doc.RootElement.GetProperty(property).GetRawText();
    }
}
