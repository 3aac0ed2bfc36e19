namespace CanvasSync.Features.Submissions;

/// <summary>
/// When a student's assignment counts as done: submitted, graded, or waiting for review, or excused. Queries that
/// filter on it spell the same states out (EF cannot call this), next to a reference to this class.
/// </summary>
internal static class Completion
{
    public static bool IsDone(string workflowState, bool excused) => excused
        || workflowState is "submitted" or "graded" or "pending_review";
}
