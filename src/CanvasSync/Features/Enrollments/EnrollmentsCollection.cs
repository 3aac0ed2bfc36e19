using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas;
using CanvasSync.Canvas.Wire;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.Submissions;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Features.Enrollments;

/// <summary>An enrollment's grades: what the caller may see of them (docs/canvas.md §5.6).</summary>
internal sealed record CanvasGrades(double? CurrentScore, double? FinalScore, string? CurrentGrade, string? FinalGrade);

internal sealed record CanvasEnrollment(long Id, long UserId, long CourseId, long? CourseSectionId, string? Type, string? EnrollmentState,
    string? Role, CanvasGrades? Grades, CanvasUser? User, DateTime? UpdatedAt);

/// <summary>
/// A course's enrollments in every state (drops and inactivity included), bookmark-paged. Each page also writes the
/// people it names (<see cref="People"/>). A teacher's listing ("enrollments:teacher") also keeps the submissions in
/// step with the roster (docs/canvas.md §6): a delta reads the rows of students new to the course, and a complete
/// listing tombstones the rows of students removed from it (Canvas stops listing them).
/// </summary>
internal sealed class EnrollmentsCollection : SyncedCollection<CanvasEnrollment>
{
    public static readonly EnrollmentsCollection Instance = new();

    /// <summary>The enrollment states that show drops and inactivity as well as current students (§5.6).</summary>
    public const string AllStates = "state[]=active&state[]=invited&state[]=creation_pending&state[]=inactive&state[]=completed";

    public static readonly MirrorTable Table = new("enrollments", "enrollments",
        ["course_canvas_id", "user_canvas_id", "section_canvas_id", "type", "enrollment_state", "role", "current_score", "final_score",
         "current_grade", "final_grade"]);

    public static string FirstPage(long courseId) => $"/api/v1/courses/{courseId}/enrollments?{AllStates}&per_page=100";

    /// <summary>The checkpoint of a course the caller teaches.</summary>
    public static string TeacherCheckpoint => Instance.Kind + ":teacher";

    /// <summary>The enrollment types whose submissions Canvas lists under student_ids[]=all (§5.5).</summary>
    private static readonly string[] StudentTypes = ["StudentEnrollment", "StudentViewEnrollment"];

    public override string Kind => "enrollments";
    public override JsonTypeInfo<CanvasEnrollment> WireType => EnrollmentsWire.Default.CanvasEnrollment;

    public override async Task WriteAsync(PageWrite write, CanvasPage<CanvasEnrollment> page)
    {
        var teacher = write.Work.Collection == TeacherCheckpoint;
        var live = teacher && write.Run.Type == SyncType.Delta
            ? await write.LiveIdsAsync(Table, page.Items.Select(i => i.Value.Id).ToList()) : null;
        await write.UpsertAsync(People.Table, page.Items.Select(People.Row));
        await write.UpsertAsync(Table, page.Items.Select(Row));
        if (live is not null)
        {
            SubmissionsCollection.OpenForStudents(write, page.Items.Select(i => i.Value)
                .Where(e => StudentTypes.Contains(e.Type) && !live.Contains(e.Id)).Select(e => e.UserId).Distinct());
        }

        if (!write.Done) return;
        await write.DeleteUnseenInCourseAsync(Table);
        if (teacher)
        {
            await write.TombstoneAsync(SubmissionsCollection.Table, $"""
                course_canvas_id = @s AND user_canvas_id NOT IN
                  (SELECT user_canvas_id FROM enrollments WHERE connection_id = @c AND course_canvas_id = @s AND deleted_at IS NULL AND type IN ('{string.Join("', '", StudentTypes)}'))
                """, write.CourseId);
        }
    }

    /// <summary>The row of an enrollment's JSON held or patched here (<see cref="OwnGrades"/>), as a listing's page writes it.</summary>
    public static MirrorRow RowOf(string rawJson)
    {
        var e = System.Text.Json.JsonSerializer.Deserialize(rawJson, EnrollmentsWire.Default.CanvasEnrollment)
            ?? throw new InvalidOperationException("an enrollment row that is not an object");
        return Row(new CanvasItem<CanvasEnrollment>(e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), e, rawJson));
    }

    private static MirrorRow Row(CanvasItem<CanvasEnrollment> i)
    {
        var e = i.Value;
        return new MirrorRow(e.Id, i.RawJson,
        [
            e.CourseId, e.UserId, e.CourseSectionId, e.Type ?? "", e.EnrollmentState ?? "", e.Role, e.Grades?.CurrentScore,
                e.Grades?.FinalScore,
            e.Grades?.CurrentGrade, e.Grades?.FinalGrade,
        ]);
    }
}

/// <summary>
/// The people of the user's courses ("users"), as enrollments embed them. No listing of its own: written by the
/// enrollments' pages, never deleted by one (a person leaves a course, not the mirror).
/// </summary>
internal static class People
{
    public static readonly MirrorTable Table = new("canvas_people", "users", ["name", "sortable_name", "short_name"]);

    /// <summary>The user nested in an enrollment, as served there.</summary>
    public static MirrorRow? Row(CanvasItem<CanvasEnrollment> i) =>
        i.Value.User is { } u ? new MirrorRow(u.Id, MirrorRow.Nested(i.RawJson, "user"), [u.Name ?? "", u.SortableName, u.ShortName])
            : null;
}

/// <summary>Source-generated, snake_case, and lenient about ids sent as strings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CanvasEnrollment))]
internal sealed partial class EnrollmentsWire : JsonSerializerContext;
