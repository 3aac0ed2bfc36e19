namespace CanvasSync.Features.Tasks;

internal enum TaskType { Assignment, Exam, Task }

/// <summary>
/// The planner mapping of an assignment. Canvas-derived fields are rewritten by each sync; the user's own fields
/// (<see cref="UserCompleted"/>, <see cref="UserEstimatedMinutes"/>, <see cref="Notes"/>) are never touched by sync.
/// </summary>
internal sealed class PlannerTask : CanvasSync.Data.IChangeTracked
{
    public long Id { get; set; }
    public long ConnectionId { get; set; }
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public DateTime? DueDate { get; set; }
    public int? EstimatedMinutes { get; set; }
    public string? Subject { get; set; }
    public TaskType Type { get; set; }
    public bool Completed { get; set; }
    public string ExternalSource { get; set; } = "canvas";
    public long ExternalId { get; set; }
    public long ExternalCourseId { get; set; }
    public DateTime? ExternalUpdatedAt { get; set; }
    public bool? UserCompleted { get; set; }
    public int? UserEstimatedMinutes { get; set; }
    public string? Notes { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    public long CreatedVersion { get; set; }
    public long ChangeVersion { get; set; }
    public DateTime ChangedAt { get; set; }
}

/// <summary>A Canvas group as a team, for instructor tools.</summary>
internal sealed class Team
{
    public long Id { get; set; }
    public long ConnectionId { get; set; }
    public long GroupCanvasId { get; set; }
    public long CourseCanvasId { get; set; }
    public string Name { get; set; } = "";
    public string? CategoryName { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    public List<TeamMember> Members { get; set; } = [];
}

internal sealed class TeamMember
{
    public long Id { get; set; }
    public long TeamId { get; set; }
    public long UserCanvasId { get; set; }
    public string Name { get; set; } = "";
    public string MembershipState { get; set; } = "";
}
