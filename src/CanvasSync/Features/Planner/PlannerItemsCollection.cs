using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.SyncRuns;
using Microsoft.AspNetCore.WebUtilities;

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
    /// Some courses' items only (context_codes[], docs/canvas.md §5.8): a GraphQL delta reads the planner of the courses
    /// whose assignments changed, all in one listing, not the whole planner. Its last page tombstones only those courses'
    /// rows; the courses are read back from the page's URL, since Canvas's links keep the query.
    /// </summary>
    public static string CoursesCheckpoint => Instance.Kind + ":courses";

    /// <summary>Courses named in one listing at most: 50 codes keep its links far below Canvas's 6 KB (docs/canvas.md §3).</summary>
    public const int MaxCoursesPerListing = 50;

    /// <summary>A year back on: with one date Canvas looks 10 years ahead. Every read of the planner uses this window.</summary>
    public static string FirstPage(DateTime now) =>
        $"/api/v1/planner/items?start_date={now.Date.AddDays(-365).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}&per_page=100";

    /// <summary>The whole planner, the student's notes without a course included.</summary>
    public static void Open(PageWrite write) => write.Open(0, Instance.Kind, FirstPage(write.Now));

    /// <summary>The items of these courses (their assignments, and notes filed under them), in as few listings as fit.</summary>
    public static void OpenForCourses(PageWrite write, IReadOnlyList<long> courseIds)
    {
        var chunks = courseIds.Order().Chunk(MaxCoursesPerListing).ToList();
        for (var n = 0; n < chunks.Count; n++)
        {
            var codes = string.Concat(chunks[n].Select(id => $"&context_codes[]=course_{id}"));
            write.Open(0, n == 0 ? CoursesCheckpoint : $"{CoursesCheckpoint}:{n + 1}", FirstPage(write.Now) + codes);
        }
    }

    /// <summary>The courses a listing's URL names in context_codes[].</summary>
    internal static IEnumerable<long> NamedCourses(Uri url) =>
        QueryHelpers.ParseQuery(url.Query).GetValueOrDefault("context_codes[]").OfType<string>()
            .Where(code => code.StartsWith("course_", StringComparison.Ordinal))
            .Select(code => long.TryParse(code.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0)
            .Where(id => id > 0);

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
        // ":course" too: the one-course listing a run checkpointed before listings named several may still resume.
        if (!write.Work.Collection.StartsWith(Kind + ":course", StringComparison.Ordinal))
        {
            await write.DeleteUnseenAsync(Table);
            return;
        }

        foreach (var courseId in NamedCourses(page.Url).Distinct())
            await write.DeleteUnseenAsync(Table, "course_canvas_id = @s", courseId);
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
