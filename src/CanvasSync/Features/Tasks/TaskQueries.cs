using CanvasSync.Data;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Submissions;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Tasks;

/// <summary>The reads the calendar feed and the analysis both start from.</summary>
internal static class TaskQueries
{
    /// <summary>The connection's live tasks that have a due date, by due date.</summary>
    public static Task<List<PlannerTask>> DatedAsync(CanvasSyncDbContext db, long connectionId, CancellationToken ct) =>
        db.Tasks.AsNoTracking().Where(t => t.ConnectionId == connectionId && t.DeletedAt == null && t.DueDate != null)
            .OrderBy(t => t.DueDate).ThenBy(t => t.Id).ToListAsync(ct);

    /// <summary>The user's own live submissions by assignment id, as <see cref="SubmissionStatus.Of"/> reads them.</summary>
    public static async Task<Dictionary<long, Submission>> OwnSubmissionsAsync(CanvasSyncDbContext db, OwnConnection me,
        CancellationToken ct) =>
        (await AssignmentViews.OwnSubmissions(db, me).AsNoTracking().ToListAsync(ct)).GroupBy(s => s.AssignmentCanvasId)
            .ToDictionary(g => g.Key, g => g.First());
}
