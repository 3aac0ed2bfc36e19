using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Features.Groups;

internal sealed record CanvasGroupCategory(long Id, long? CourseId, string? Name, string? SelfSignup, int? GroupLimit);

/// <summary>A course's group sets (docs/canvas.md §5.7): teachers only, since students get a 401 (a permission gap, not a dead
/// token).</summary>
internal sealed class GroupCategoriesCollection : SyncedCollection<CanvasGroupCategory>
{
    public static readonly GroupCategoriesCollection Instance = new();

    public static readonly MirrorTable Table =
        new("group_categories", "group_categories", ["course_canvas_id", "name", "self_signup", "group_limit"],
        DeltaReadsPart: true);

    public static string FirstPage(long courseId) => $"/api/v1/courses/{courseId}/group_categories?per_page=100";

    public override string Kind => "group_categories";
    public override JsonTypeInfo<CanvasGroupCategory> WireType => GroupCategoriesWire.Default.CanvasGroupCategory;

    public override async Task WriteAsync(PageWrite write, CanvasPage<CanvasGroupCategory> page)
    {
        await write.UpsertAsync(Table, page.Items.Select(i => new MirrorRow(i.Value.Id, i.RawJson,
            [i.Value.CourseId ?? write.CourseId, i.Value.Name ?? "", i.Value.SelfSignup, i.Value.GroupLimit])));
        if (write.Done) await write.DeleteUnseenInCourseAsync(Table);
    }
}

/// <summary>Source-generated, snake_case, and lenient about ids sent as strings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CanvasGroupCategory))]
internal sealed partial class GroupCategoriesWire : JsonSerializerContext;
