using CanvasSync.Data;

namespace CanvasSync.Features.Assignments;

internal sealed class AssignmentGroup : MirroredEntity
{
    public long CourseCanvasId { get; set; }
    public string Name { get; set; } = "";
    public int Position { get; set; }
    public double? GroupWeight { get; set; }
}

internal sealed class Assignment : MirroredEntity
{
    public long CourseCanvasId { get; set; }
    public long? AssignmentGroupCanvasId { get; set; }
    public string Name { get; set; } = "";
    public DateTime? DueAt { get; set; }
    public DateTime? UnlockAt { get; set; }
    public DateTime? LockAt { get; set; }
    public double? PointsPossible { get; set; }
    public string? GradingType { get; set; }
    /// <summary>Comma-separated, e.g. "online_text_entry,online_upload".</summary>
    public string SubmissionTypes { get; set; } = "";
    public bool Published { get; set; }
    /// <summary>Some students have dates of their own: a change to them shows in no listing, so the slow lane re-reads its
    /// submissions.</summary>
    public bool HasOverrides { get; set; }
    /// <summary>Canvas's muted: some grades are not posted. Posting flips it and stamps every row's posted_at.</summary>
    public bool Muted { get; set; }
    public long? QuizId { get; set; }
    public long? DiscussionTopicId { get; set; }
    /// <summary>Canvas's updated_at: moves on edits to the assignment, not on grading.</summary>
    public DateTime? CanvasUpdatedAt { get; set; }
    /// <summary>The description made safe to show, rendered when the sync wrote the row (<see cref="AssignmentDescription"/>).</summary>
    public string? DescriptionHtml { get; set; }
    /// <summary>The description as plain text (tasks, exports), rendered with <see cref="DescriptionHtml"/>.</summary>
    public string? DescriptionText { get; set; }
}
