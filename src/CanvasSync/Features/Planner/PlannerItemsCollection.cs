using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Features.Planner;

internal sealed record CanvasPlannable(long? Id, string? Title, long? AssignmentId, DateTime? DueAt);

internal sealed record CanvasPlannerItem(string PlannableType, long PlannableId, long? CourseId, DateTime? PlannableDate,
    CanvasPlannable? Plannable, JsonElement? Submissions);

/// <summary>
/// The student's planner (docs/canvas.md §5.8), bookmark-paged. Items have no id of their own: the key is type and
/// plannable id, and for quizzes and discussions the plannable id is the quiz or topic, not the assignment.
/// </summary>
internal sealed class PlannerItemsCollection : SyncedCollection<CanvasPlannerItem>
{
    public static readonly PlannerItemsCollection Instance = new();

    public static readonly MirrorTable Table = new("planner_items", "planner_items",
        ["plannable_type", "course_canvas_id", "assignment_canvas_id", "title", "plannable_date"], KeyedByPlannableType: true);

    /// <summary>
    /// One course's items only (context_codes[], docs/canvas.md §5.8): a GraphQL delta reads the planner of the courses
    /// whose assignments or own submissions changed, not the whole planner. Its last page tombstones only that course's rows.
    /// </summary>
    public static string CourseCheckpoint => Instance.Kind + ":course";

    /// <summary>A year back on: with one date Canvas looks 10 years ahead. Every read of the planner uses this window.</summary>
    public static string FirstPage(DateTime now) =>
        $"/api/v1/planner/items?start_date={now.Date.AddDays(-365).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}&per_page=100";

    /// <summary>The whole planner, the student's notes without a course included.</summary>
    public static void Open(PageWrite write) => write.Open(0, Instance.Kind, FirstPage(write.Now));

    /// <summary>The items of one course (its assignments, and notes filed under it).</summary>
    public static void OpenForCourse(PageWrite write, long courseId) =>
        write.Open(courseId, CourseCheckpoint, $"{FirstPage(write.Now)}&context_codes[]=course_{courseId}");

    public static string? Key(JsonElement e) =>
        e.TryGetProperty("plannable_type", out var type) && e.TryGetProperty("plannable_id", out var id)
            ? $"{type.GetString()}:{id.GetRawText()}" : null;

    public override string Kind => "planner_items";
    public override JsonTypeInfo<CanvasPlannerItem> WireType => PlannerItemsWire.Default.CanvasPlannerItem;
    public override Func<JsonElement, string?>? ItemKey => Key;

    public override async Task WriteAsync(PageWrite write, CanvasPage<CanvasPlannerItem> page)
    {
        await write.UpsertAsync(Table, page.Items.Select(Row));
        if (!write.Done) return;
        if (write.Work.Collection == CourseCheckpoint) await write.DeleteUnseenInCourseAsync(Table);
        else await write.DeleteUnseenAsync(Table);
    }

    private static MirrorRow Row(CanvasItem<CanvasPlannerItem> i)
    {
        var p = i.Value;
        var assignmentId = p.PlannableType == "assignment" ? p.PlannableId : p.Plannable?.AssignmentId;
        return new MirrorRow(p.PlannableId, i.RawJson, [p.PlannableType, p.CourseId, assignmentId, p.Plannable?.Title, p.PlannableDate],
            p.PlannableType);
    }
}

/// <summary>Source-generated, snake_case, and lenient about ids sent as strings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CanvasPlannerItem))]
internal sealed partial class PlannerItemsWire : JsonSerializerContext;
