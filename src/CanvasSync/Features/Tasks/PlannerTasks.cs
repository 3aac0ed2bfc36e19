using System.Text.Json;
using CanvasSync.Data;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Tasks;

/// <summary>
/// A student's to-dos beyond assignments, from Canvas's planner: planner notes, ungraded quizzes, discussions and pages
/// with a to-do date, calendar events. A planner item that points at an assignment (an assignment's own item, or a
/// graded quiz or discussion, whose plannable_id is the quiz or topic id and whose assignment_id is the assignment's)
/// is left out: the assignment's task stands for it. Source "planner:&lt;plannable_type&gt;", external id plannable_id.
/// </summary>
internal static class PlannerTasks
{
    public const string SourcePrefix = "planner:";

    public static async Task<List<PlannerTask>> ReadAsync(CanvasSyncDbContext db, long connectionId, IReadOnlySet<long> assignmentIds,
        IReadOnlyDictionary<long, string?> courses, CancellationToken ct)
    {
        var items = await db.PlannerItems.AsNoTracking()
            .Where(p => p.ConnectionId == connectionId && p.DeletedAt == null && p.PlannableType != "assignment")
            .Select(p => new { p.CanvasId, p.AssignmentCanvasId, p.Title, p.PlannableType, p.PlannableDate, p.CourseCanvasId, p.RawJson })
            .ToListAsync(ct);
        return items.Where(p => p.AssignmentCanvasId is not { } a || !assignmentIds.Contains(a)).Select(p => new PlannerTask
        {
            ConnectionId = connectionId,
            Title = p.Title ?? p.PlannableType.Replace('_', ' '),
            DueDate = p.PlannableDate,
            Subject = p.CourseCanvasId is { } c ? courses.GetValueOrDefault(c) : null,
            Type = p.PlannableType == "quiz" ? TaskType.Exam : TaskType.Task,
            Completed = IsDone(p.RawJson),
            ExternalSource = SourcePrefix + p.PlannableType,
            ExternalId = p.CanvasId,
            ExternalCourseId = p.CourseCanvasId ?? 0,
        }).ToList();
    }

    /// <summary>Done in Canvas's planner: marked complete there, or submitted, graded or excused.</summary>
    public static bool IsDone(string plannerItemJson)
    {
        using var doc = JsonDocument.Parse(plannerItemJson);
        var root = doc.RootElement;
        if (root.TryGetProperty("planner_override", out var o) && o.ValueKind == JsonValueKind.Object
            && o.TryGetProperty("marked_complete", out var marked) && marked.ValueKind == JsonValueKind.True) return true;
        return root.TryGetProperty("submissions", out var s) && s.ValueKind == JsonValueKind.Object
            && new[] { "submitted", "graded", "excused" }.Any(k => s.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.True);
    }
}
