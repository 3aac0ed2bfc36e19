using CanvasSync.Data;

namespace CanvasSync.Features.Groups;

internal sealed class GroupCategory : MirroredEntity
{
    public long CourseCanvasId { get; set; }
    public string Name { get; set; } = "";
    public string? SelfSignup { get; set; }
    public int? GroupLimit { get; set; }
}

internal sealed class Group : MirroredEntity
{
    public long? CourseCanvasId { get; set; }
    public long? GroupCategoryCanvasId { get; set; }
    public string Name { get; set; } = "";
    public int MembersCount { get; set; }
}

internal sealed class GroupMembership : MirroredEntity
{
    public long GroupCanvasId { get; set; }
    public long UserCanvasId { get; set; }
    public string WorkflowState { get; set; } = "";
    public bool Moderator { get; set; }
}
