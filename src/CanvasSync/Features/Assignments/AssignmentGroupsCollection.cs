using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Features.Assignments;

internal sealed record CanvasAssignmentGroup(long Id, string? Name, int? Position, double? GroupWeight);

/// <summary>A course's assignment groups (docs/canvas.md §5.4), numbered; empty groups exist.</summary>
internal sealed class AssignmentGroupsCollection : SyncedCollection<CanvasAssignmentGroup>
{
    public static readonly AssignmentGroupsCollection Instance = new();

    public static readonly MirrorTable Table =
        new("assignment_groups", "assignment_groups", ["course_canvas_id", "name", "position", "group_weight"]);

    public static string FirstPage(long courseId) => $"/api/v1/courses/{courseId}/assignment_groups?per_page=100";

    public override string Kind => "assignment_groups";
    public override JsonTypeInfo<CanvasAssignmentGroup> WireType => AssignmentGroupsWire.Default.CanvasAssignmentGroup;

    public override async Task WriteAsync(PageWrite write, CanvasPage<CanvasAssignmentGroup> page)
    {
        await write.UpsertAsync(Table, page.Items.Select(i => new MirrorRow(i.Value.Id, i.RawJson,
            [write.CourseId, i.Value.Name ?? "", i.Value.Position ?? 0, i.Value.GroupWeight])));
        if (write.Done) await write.DeleteUnseenInCourseAsync(Table);
    }
}

/// <summary>Source-generated, snake_case, and lenient about ids sent as strings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CanvasAssignmentGroup))]
internal sealed partial class AssignmentGroupsWire : JsonSerializerContext;
