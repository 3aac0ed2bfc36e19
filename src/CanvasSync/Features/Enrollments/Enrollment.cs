using CanvasSync.Data;

namespace CanvasSync.Features.Enrollments;

/// <summary>An enrollment with its grades. Canvas does not move updated_at when scores change: deltas compare hashes.</summary>
internal sealed class Enrollment : MirroredEntity
{
    public long CourseCanvasId { get; set; }
    public long UserCanvasId { get; set; }
    public long? SectionCanvasId { get; set; }
    public string Type { get; set; } = "";
    public string EnrollmentState { get; set; } = "";
    public string? Role { get; set; }
    public double? CurrentScore { get; set; }
    public double? FinalScore { get; set; }
    public string? CurrentGrade { get; set; }
    public string? FinalGrade { get; set; }
}

/// <summary>A Canvas user seen through this connection (a classmate, a student on a roster, a group member).</summary>
internal sealed class CanvasPerson : MirroredEntity
{
    public string Name { get; set; } = "";
    public string? SortableName { get; set; }
    public string? ShortName { get; set; }
}
