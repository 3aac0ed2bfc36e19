using CanvasSync.Features.Submissions;

namespace CanvasSync.Features.Tasks;

/// <summary>Where an assignment task stands, in the words the calendar feed and the analysis print.</summary>
internal static class SubmissionStatus
{
    /// <summary>
    /// An assignment task: its submission's state in a word or two (excused, graded with the grade, submitted, submitted
    /// late, missing, not submitted), and whether the user marked it done. A planner to-do: "done" or "to do".
    /// </summary>
    /// <param name="own">The user's own submissions by assignment id.</param>
    public static string Of(PlannerTask task, IReadOnlyDictionary<long, Submission> own)
    {
        if (task.ExternalSource != "canvas") return task.UserCompleted ?? task.Completed ? "done" : "to do";
        var submission = own.GetValueOrDefault(task.ExternalId);
        var canvas = submission switch
        {
            null => "not submitted",
            { Excused: true } => "excused",
            { WorkflowState: "graded" } s => s.Grade is { Length: > 0 } grade ? $"graded ({grade})" : "graded",
            { WorkflowState: "submitted" or "pending_review", Late: true } => "submitted late",
            { WorkflowState: "submitted" or "pending_review" } => "submitted",
            { Missing: true } => "missing",
            _ => "not submitted",
        };
        return task.UserCompleted == true && !Completion.IsDone(submission?.WorkflowState ?? "", submission?.Excused ?? false)
            ? canvas + ", marked done by you" : canvas;
    }
}
