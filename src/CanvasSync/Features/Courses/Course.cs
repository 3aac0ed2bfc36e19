using CanvasSync.Data;

namespace CanvasSync.Features.Courses;

internal sealed class Term : MirroredEntity
{
    public string Name { get; set; } = "";
    public DateTime? StartAt { get; set; }
    public DateTime? EndAt { get; set; }
}

internal sealed class Course : MirroredEntity
{
    public string? Name { get; set; }
    public string? CourseCode { get; set; }
    public string? WorkflowState { get; set; }
    public long? TermCanvasId { get; set; }
    public DateTime? StartAt { get; set; }
    public DateTime? EndAt { get; set; }
    public string? TimeZone { get; set; }
    /// <summary>Canvas served only {id, access_restricted_by_date}: the course has not started for this user.</summary>
    public bool AccessRestrictedByDate { get; set; }
}
