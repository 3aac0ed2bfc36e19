using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Features.Groups;

internal sealed record CanvasGroupMembership(long Id, long GroupId, long UserId, string? WorkflowState, bool? Moderator);

/// <summary>One group's memberships (checkpoint "group_memberships:GROUP_ID"): accepted, invited and requested, all three by
/// default.</summary>
internal sealed class MembershipsCollection : SyncedCollection<CanvasGroupMembership>
{
    public static readonly MembershipsCollection Instance = new();

    public static readonly MirrorTable Table =
        new("group_memberships", "group_memberships", ["group_canvas_id", "user_canvas_id", "workflow_state", "moderator"],
        DeltaReadsPart: true);

    public static string FirstPage(long groupId) => $"/api/v1/groups/{groupId}/memberships?per_page=100";

    public override string Kind => "group_memberships";
    public override JsonTypeInfo<CanvasGroupMembership> WireType => MembershipsWire.Default.CanvasGroupMembership;

    public override async Task WriteAsync(PageWrite write, CanvasPage<CanvasGroupMembership> page)
    {
        await write.UpsertAsync(Table, page.Items.Select(i => new MirrorRow(i.Value.Id, i.RawJson,
            [i.Value.GroupId, i.Value.UserId, i.Value.WorkflowState ?? "", i.Value.Moderator == true])));
        if (write.Done) await write.DeleteUnseenAsync(Table, "group_canvas_id = @s",
            long.Parse(write.Work.Detail!, CultureInfo.InvariantCulture));
    }
}

/// <summary>Source-generated, snake_case, and lenient about ids sent as strings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CanvasGroupMembership))]
internal sealed partial class MembershipsWire : JsonSerializerContext;
