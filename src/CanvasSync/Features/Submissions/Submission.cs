using CanvasSync.Data;

namespace CanvasSync.Features.Submissions;

/// <summary>A submission. Canvas gives it no updated_at: deltas use graded_since / submitted_since.</summary>
internal sealed class Submission : MirroredEntity
{
    public long CourseCanvasId { get; set; }
    public long AssignmentCanvasId { get; set; }
    public long UserCanvasId { get; set; }
    public string WorkflowState { get; set; } = "";
    /// <summary>Null both when ungraded and when Canvas withheld an unposted grade (the key was absent).</summary>
    public double? Score { get; set; }
    public string? Grade { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public DateTime? GradedAt { get; set; }
    public DateTime? PostedAt { get; set; }
    public bool Excused { get; set; }
    public bool Late { get; set; }
    public bool Missing { get; set; }
}
