using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.Groups;
using CanvasSync.Features.Planner;
using CanvasSync.Features.Submissions;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Features.Courses;

/// <summary>An enrollment of the caller as a course lists it, with their total scores (include[]=total_scores).</summary>
internal sealed record CanvasCourseEnrollment(string? Type, string? EnrollmentState, long? UserId,
    double? ComputedCurrentScore, double? ComputedFinalScore, string? ComputedCurrentGrade, string? ComputedFinalGrade);

/// <summary>A course as GET /courses serves it (docs/canvas.md §5.2): only what CanvasSync queries; the raw JSON keeps the rest.</summary>
internal sealed record CanvasCourse(long Id, string? Name, string? CourseCode, string? WorkflowState, long? EnrollmentTermId,
    DateTime? StartAt, DateTime? EndAt, string? TimeZone, bool? AccessRestrictedByDate, CanvasTerm? Term,
    IReadOnlyList<CanvasCourseEnrollment>? Enrollments)
{
    /// <summary>The caller teaches (or TAs) this course: it may read every student's work.</summary>
    public bool CallerTeaches => Enrollments?.Any(e => e.Type is "teacher" or "ta") == true;

    /// <summary>
    /// The caller only observes this course (a parent, a mentor): they read their observees' work, and neither the
    /// roster nor the groups (observers lack read_roster by default, docs/canvas.md §5.5).
    /// </summary>
    public bool CallerOnlyObserves => Enrollments is { Count: > 0 } mine && mine.All(e => e.Type == "observer");

    /// <summary>The caller takes this course as a student: their planner shows it.</summary>
    public bool CallerStudies => !CallerTeaches && !CallerOnlyObserves;
}

/// <summary>
/// The course list: where every run starts. Each page writes its courses and their terms, and opens each readable
/// course's collections (a teacher's, a student's and an observer's differ), plus the planner once the user takes a
/// course.
/// </summary>
internal sealed class CoursesCollection : SyncedCollection<CanvasCourse>
{
    public static readonly CoursesCollection Instance = new();

    /// <summary>
    /// Every course the user can read: the default list leaves concluded courses out, so ask for every state
    /// (students never see unpublished ones anyway). Terms and the user's total scores come along.
    /// </summary>
    public const string FirstPage =
        "/api/v1/courses?include[]=term&include[]=total_scores&state[]=unpublished&state[]=available&state[]=completed&per_page=100";

    public static readonly MirrorTable Table = new("courses", "courses",
        ["name", "course_code", "workflow_state", "term_canvas_id", "start_at", "end_at", "time_zone", "access_restricted_by_date"]);

    public override string Kind => "courses";
    public override JsonTypeInfo<CanvasCourse> WireType => CoursesWire.Default.CanvasCourse;

    /// <summary>
    /// The course list read for its own rows only: a GraphQL delta opened the courses' collections that changed
    /// itself (<see cref="SyncRuns.GraphQLDeltas.GraphQLDelta"/>); this listing writes the courses and takes away the gone ones.
    /// </summary>
    public static string ListingOnlyCheckpoint => Instance.Kind + ":listing";

    public override async Task WriteAsync(PageWrite write, CanvasPage<CanvasCourse> page)
    {
        await write.UpsertAsync(Terms.Table, page.Items.Select(Terms.Row));
        await write.UpsertAsync(Table, page.Items.Select(Row));
        if (write.Work.Collection != ListingOnlyCheckpoint) OpenChildren(write, page);

        // Every course the user can read is listed (concluded ones too), so a course missing from it is gone (deleted,
        // or the user removed from it), and so is everything the user read in it.
        if (!write.Done) return;
        await write.DeleteUnseenAsync(Table);
        const string goneCourse = "course_canvas_id IN (SELECT canvas_id FROM courses WHERE connection_id = @c AND deleted_at IS NOT NULL)";
        await write.TombstoneAsync(MembershipsCollection.Table, $"group_canvas_id IN (SELECT canvas_id FROM groups WHERE connection_id = @c AND {goneCourse})", 0);
        foreach (var child in CourseChildren) await write.TombstoneAsync(child, goneCourse, 0);
    }

    private static void OpenChildren(PageWrite write, CanvasPage<CanvasCourse> page)
    {
        // Planner items are a student's: opened by the first page showing a course the user takes (opening is idempotent).
        if (page.Items.Any(i => i.Value.CallerStudies))
            PlannerItemsCollection.Open(write);
        foreach (var course in page.Items.Select(i => i.Value))
        {
            // A course not started for this user is only a stub: record it, read nothing else (it would be 401).
            if (course.AccessRestrictedByDate == true || !write.Run.Scope.Includes(course.Id, course.EnrollmentTermId)) continue;
            var id = course.Id;
            if (course.CallerStudies) OpenStudentCourse(write, id, CourseParts.All);
            else if (course.CallerTeaches) OpenTeacherCourse(write, id, CourseParts.All);
            else
            {
                write.Open(id, AssignmentGroupsCollection.Instance.Kind, AssignmentGroupsCollection.FirstPage(id));
                write.Open(id, AssignmentsCollection.ObservedCheckpoint, AssignmentsCollection.FirstPage(id, includeOwnSubmission: false));
                write.Open(id, SubmissionsCollection.ObserveesCheckpoint,
                    SubmissionsCollection.FirstPage(id, new SubmissionQuery(AllStudents: true)));
            }
        }
    }

    /// <summary>
    /// A teacher's collections of a course, or the part of them a change touched (<see cref="SyncRuns.GraphQLDeltas.GraphQLDelta"/>). The
    /// assignment listing opens the submissions (<see cref="SubmissionsCollection.OpenForTeacherAsync"/>).
    /// </summary>
    public static void OpenTeacherCourse(PageWrite write, long id, CourseParts parts)
    {
        if (parts.HasFlag(CourseParts.AssignmentGroups))
            write.Open(id, AssignmentGroupsCollection.Instance.Kind, AssignmentGroupsCollection.FirstPage(id));
        if (parts.HasFlag(CourseParts.Assignments))
            write.Open(id, AssignmentsCollection.Instance.Kind, AssignmentsCollection.FirstPage(id, includeOwnSubmission: false));
        if (parts.HasFlag(CourseParts.Enrollments))
            write.Open(id, EnrollmentsCollection.TeacherCheckpoint, EnrollmentsCollection.FirstPage(id));
        if (parts.HasFlag(CourseParts.Groups)) write.Open(id, GroupsCollection.TeacherCheckpoint, GroupsCollection.FirstPage(id));
        // A delta reads a teacher's group sets only when a group names one the mirror lacks (GroupsCollection).
        if (parts == CourseParts.All && (write.Run.ReadsEverything || write.Run.SlowLane))
            write.Open(id, GroupCategoriesCollection.Instance.Kind, GroupCategoriesCollection.FirstPage(id));
    }

    /// <summary>A student's collections of a course, or the part of them a change touched
    /// (<see cref="SyncRuns.GraphQLDeltas.GraphQLDelta"/>). Their own submissions come embedded in the assignments.</summary>
    public static void OpenStudentCourse(PageWrite write, long id, CourseParts parts)
    {
        if (parts.HasFlag(CourseParts.AssignmentGroups))
            write.Open(id, AssignmentGroupsCollection.Instance.Kind, AssignmentGroupsCollection.FirstPage(id));
        if (parts.HasFlag(CourseParts.Assignments))
            write.Open(id, AssignmentsCollection.OwnCheckpoint, AssignmentsCollection.FirstPage(id, includeOwnSubmission: true));
        if (parts.HasFlag(CourseParts.Enrollments))
            write.Open(id, EnrollmentsCollection.Instance.Kind, EnrollmentsCollection.FirstPage(id));
        if (parts.HasFlag(CourseParts.Groups)) write.Open(id, GroupsCollection.Instance.Kind, GroupsCollection.FirstPage(id));
    }

    /// <summary>The tables whose rows belong to one course (course_canvas_id).</summary>
    private static readonly MirrorTable[] CourseChildren =
    [
        AssignmentGroupsCollection.Table, AssignmentsCollection.Table, SubmissionsCollection.Table, EnrollmentsCollection.Table,
        GroupCategoriesCollection.Table, GroupsCollection.Table,
    ];

    private static MirrorRow Row(CanvasItem<CanvasCourse> i) => new(i.Value.Id, i.RawJson,
    [
        i.Value.Name, i.Value.CourseCode, i.Value.WorkflowState, i.Value.EnrollmentTermId ?? i.Value.Term?.Id, i.Value.StartAt,
            i.Value.EndAt,
        i.Value.TimeZone, i.Value.AccessRestrictedByDate == true,
    ]);
}

/// <summary>What a student or a teacher reads of a course; a change touches some of it.</summary>
[Flags]
internal enum CourseParts
{
    None = 0,
    AssignmentGroups = 1,
    Assignments = 2,
    Enrollments = 4,
    Groups = 8,
    All = AssignmentGroups | Assignments | Enrollments | Groups,
}

/// <summary>Source-generated, snake_case, and lenient about ids sent as strings (application/json+canvas-string-ids).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CanvasCourse))]
internal sealed partial class CoursesWire : JsonSerializerContext;
