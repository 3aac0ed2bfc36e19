using CanvasSync.Data;

namespace CanvasSync.Features.Planner;

/// <summary>
/// A planner item. Canvas gives it no id of its own: it is keyed by (plannable_type, plannable_id), and
/// <see cref="MirroredEntity.CanvasId"/> holds plannable_id (a quiz or topic id for quizzes and discussions).
/// </summary>
internal sealed class PlannerItem : MirroredEntity
{
    public string PlannableType { get; set; } = "";
    public long? CourseCanvasId { get; set; }
    /// <summary>The assignment behind a quiz or discussion item, so tasks are not duplicated.</summary>
    public long? AssignmentCanvasId { get; set; }
    public string? Title { get; set; }
    public DateTime? PlannableDate { get; set; }
}

/// <summary>A planner item as Canvas's planner listed it (keyed by plannable_type and id).</summary>
internal sealed record PlannerItemView(string PlannableType, long Id, long? CourseId, long? AssignmentId, string? Title,
    DateTime? PlannableDate, DateTime ChangedAt);

internal static class PlannerItemViews
{
    public static PlannerItemView AsView(this PlannerItem p) =>
        new(p.PlannableType, p.CanvasId, p.CourseCanvasId, p.AssignmentCanvasId, p.Title, p.PlannableDate, p.ChangedAt);
}
