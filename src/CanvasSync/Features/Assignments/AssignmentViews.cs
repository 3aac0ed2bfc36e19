using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Submissions;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Assignments;

internal sealed record AssignmentGroupView(long Id, long CourseId, string Name, int Position, double? GroupWeight);

/// <summary>
/// An assignment with the caller's own submission, if Canvas showed one. <c>completed</c>: the caller submitted it, it
/// was graded, or it was excused. <c>canvas_updated_at</c> is Canvas's updated_at (it does not move on grading);
/// <c>changed_at</c> is when this mirror last saw it change.
/// </summary>
internal sealed record AssignmentView(long Id, long CourseId, long? AssignmentGroupId, string Name, DateTime? DueAt, DateTime? UnlockAt,
    DateTime? LockAt,
    double? PointsPossible, string? GradingType, IReadOnlyList<string> SubmissionTypes, bool Published, long? QuizId,
        long? DiscussionTopicId,
    string HtmlUrl, DateTime? CanvasUpdatedAt, DateTime ChangedAt, bool Completed, OwnSubmissionView? Submission)
{
    // PulsePlan's task fields, which its clients read from GET canvas/assignments: the same assignment in its words.
    public string Title => Name;
    public DateTime? DueDate => DueAt;
    public string ExternalSource => "canvas";
    public string ExternalId => Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The description as plain text (GET canvas/assignments; null elsewhere).</summary>
    public string? Description { get; init; }

    /// <summary>The course's name (GET canvas/assignments; null elsewhere).</summary>
    public string? Subject { get; init; }
}

/// <summary>
/// GET canvas/assignments, in PulsePlan's documented envelope (its clients call this path unchanged): the page's
/// assignments under <c>assignments</c> (where other lists say <c>items</c>), their count, and the cursor of the next page.
/// </summary>
internal sealed record AssignmentList(bool Success, long UserId, IReadOnlyList<AssignmentView> Assignments, int Count, string? NextCursor);

internal sealed record OwnSubmissionView(string WorkflowState, double? Score, string? Grade, DateTime? SubmittedAt, DateTime? GradedAt,
    bool Late, bool Missing, bool Excused);

internal static class AssignmentViews
{
    public static AssignmentGroupView AsView(this AssignmentGroup g) =>
        new(g.CanvasId, g.CourseCanvasId, g.Name, g.Position, g.GroupWeight);

    /// <summary>The caller's own live submissions: what "completed" and an assignment's submission are read from.</summary>
    public static IQueryable<Submission> OwnSubmissions(CanvasSyncDbContext db, OwnConnection me) =>
        db.Submissions.Where(s => s.ConnectionId == me.Id && s.UserCanvasId == me.CanvasUserId && s.DeletedAt == null);

    /// <summary>Views of these assignments, in their order, with the caller's submissions read in one query.</summary>
    public static async Task<List<AssignmentView>> BuildAsync(CanvasSyncDbContext db, OwnConnection me,
        IReadOnlyList<Assignment> assignments, CancellationToken ct)
    {
        if (assignments.Count == 0) return [];
        // An id range, not an IN list: one cached statement whatever the count (EF builds a new statement for every
        // list length), and on the (connection, user, assignment) index it reads only the caller's own rows.
        var (lo, hi) = (assignments.Min(a => a.CanvasId), assignments.Max(a => a.CanvasId));
        var own = await OwnSubmissions(db, me).AsNoTracking().Where(s => s.AssignmentCanvasId >= lo && s.AssignmentCanvasId <= hi)
            .Select(s => new
            {
                s.AssignmentCanvasId,
                View = new OwnSubmissionView(s.WorkflowState, s.Score, s.Grade, s.SubmittedAt, s.GradedAt, s.Late, s.Missing, s.Excused)
            })
            .ToListAsync(ct);
        var mine = own.GroupBy(s => s.AssignmentCanvasId).ToDictionary(g => g.Key, g => g.First().View);
        return assignments.Select(a => ToView(a, mine.GetValueOrDefault(a.CanvasId), me.BaseUrl)).ToList();
    }

    internal static AssignmentView ToView(Assignment a, OwnSubmissionView? submission, string baseUrl, string? description = null,
        string? subject = null) =>
        new(a.CanvasId, a.CourseCanvasId, a.AssignmentGroupCanvasId, a.Name, a.DueAt, a.UnlockAt, a.LockAt, a.PointsPossible,
            a.GradingType, a.SubmissionTypes.Length == 0 ? [] : a.SubmissionTypes.Split(','), a.Published, a.QuizId, a.DiscussionTopicId,
            $"{baseUrl}/courses/{a.CourseCanvasId}/assignments/{a.CanvasId}", a.CanvasUpdatedAt, a.ChangedAt,
            submission is not null && Completion.IsDone(submission.WorkflowState, submission.Excused), submission)
        {
            Description = description,
            Subject = subject,
        };
}
