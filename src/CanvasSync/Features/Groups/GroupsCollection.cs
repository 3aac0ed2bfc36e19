using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas;
using CanvasSync.Canvas.Wire;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Features.Groups;

internal sealed record CanvasGroup(long Id, string? Name, long? GroupCategoryId, long? CourseId, int? MembersCount,
    IReadOnlyList<CanvasUser>? Users);

/// <summary>
/// A course's groups with their members (include[]=users), so a group whose JSON did not change needs no membership
/// request: a full sync reads every group's memberships, a delta only those of groups that changed. An invitation or
/// a moderator flag shows in no group's JSON (docs/canvas.md §6): the slow lane reads every group's memberships.
/// A teacher's listing ("groups:teacher") also tells a delta when there is a new group set to read.
/// </summary>
internal sealed class GroupsCollection : SyncedCollection<CanvasGroup>
{
    public static readonly GroupsCollection Instance = new();

    public static readonly MirrorTable Table =
        new("groups", "groups", ["course_canvas_id", "group_category_canvas_id", "name", "members_count"]);

    public static string FirstPage(long courseId) => $"/api/v1/courses/{courseId}/groups?include[]=users&per_page=100";

    public override string Kind => "groups";

    /// <summary>The checkpoint of a course the caller teaches (who may read its group sets).</summary>
    public static string TeacherCheckpoint => Instance.Kind + ":teacher";

    public override JsonTypeInfo<CanvasGroup> WireType => GroupsWire.Default.CanvasGroup;

    public override async Task WriteAsync(PageWrite write, CanvasPage<CanvasGroup> page)
    {
        var written = await write.UpsertAsync(Table, page.Items.Select(i => new MirrorRow(i.Value.Id, i.RawJson,
            [i.Value.CourseId ?? write.CourseId, i.Value.GroupCategoryId, i.Value.Name ?? "", i.Value.MembersCount ?? 0])));
        var changed = written.Written.ToHashSet();
        foreach (var group in page.Items.Select(i => i.Value))
        {
            if (write.Run.ReadsEverything || write.Run.SlowLane || changed.Contains(group.Id))
                write.Open(write.CourseId, $"{MembershipsCollection.Instance.Kind}:{group.Id}", MembershipsCollection.FirstPage(group.Id));
        }

        // Group sets rarely change, so a teacher's delta reads them only when a group names one the mirror lacks (a new
        // set); a renamed or re-configured one waits for the slow lane.
        if (write.Work.Collection == TeacherCheckpoint && !write.Run.ReadsEverything && !write.Run.SlowLane)
        {
            var named = page.Items.Select(i => i.Value.GroupCategoryId).OfType<long>().ToHashSet();
            if ((await write.LiveIdsAsync(GroupCategoriesCollection.Table, named)).Count < named.Count)
                write.Open(write.CourseId, GroupCategoriesCollection.Instance.Kind, GroupCategoriesCollection.FirstPage(write.CourseId));
        }

        if (!write.Done) return;
        await write.DeleteUnseenInCourseAsync(Table);
        await write.TombstoneAsync(MembershipsCollection.Table,
            "group_canvas_id IN (SELECT canvas_id FROM groups WHERE connection_id = @c AND course_canvas_id = @s AND deleted_at IS NOT NULL)", write.CourseId);
    }
}

/// <summary>Source-generated, snake_case, and lenient about ids sent as strings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CanvasGroup))]
internal sealed partial class GroupsWire : JsonSerializerContext;
