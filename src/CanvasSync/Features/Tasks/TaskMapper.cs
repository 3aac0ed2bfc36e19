using CanvasSync.Data;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CanvasSync.Features.Tasks;

/// <summary>
/// Maps the mirror's assignments, and the planner's other to-dos (<see cref="PlannerTasks"/>), to planner tasks after each sync. Only the
/// Canvas-derived fields are rewritten, and
/// only when they changed; the user's own fields (done, estimate, notes) are never touched.
/// </summary>
internal static class TaskMapper
{
    public static async Task<WriteCounts> RefreshAsync(CanvasSyncDbContext db, long connectionId, DateTime now, CancellationToken ct)
    {
        // One transaction with one change version, so the change feed sees every task change of this refresh or none.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var version = await ChangeVersions.NextAsync(db.Database.GetDbConnection(), tx.GetDbTransaction(), connectionId, ct);
        var me = await db.Connections.Where(c => c.Id == connectionId).Select(c => c.CanvasUserId).SingleAsync(ct);
        // Only the columns a task is made of: this runs after every sync, and the rows' raw JSON and HTML are most of
        // their bytes.
        var courses = await db.Courses.AsNoTracking().Where(c => c.ConnectionId == connectionId)
            .Select(c => new { c.CanvasId, c.Name }).ToDictionaryAsync(c => c.CanvasId, c => c.Name, ct);
        var assignments = await db.Assignments.AsNoTracking().Where(a => a.ConnectionId == connectionId && a.DeletedAt == null)
            .Select(a => new
            {
                a.CanvasId,
                a.CourseCanvasId,
                a.Name,
                a.DescriptionText,
                a.DueAt,
                a.PointsPossible,
                a.SubmissionTypes,
                a.CanvasUpdatedAt,
            })
            .ToListAsync(ct);
        var mine = await db.Submissions.AsNoTracking()
            .Where(s => s.ConnectionId == connectionId && s.UserCanvasId == me && s.DeletedAt == null)
            .Select(s => new { s.AssignmentCanvasId, s.WorkflowState, s.Excused })
            .ToListAsync(ct);
        var done = mine.Where(s => Completion.IsDone(s.WorkflowState, s.Excused)).Select(s => s.AssignmentCanvasId).ToHashSet();
        var tasks = await db.Tasks.Where(t => t.ConnectionId == connectionId
            && (t.ExternalSource == "canvas" || t.ExternalSource.StartsWith(PlannerTasks.SourcePrefix)))
            .ToDictionaryAsync(t => (t.ExternalSource, t.ExternalId), ct);

        var fresh = assignments.Select(a => new PlannerTask
        {
            ConnectionId = connectionId,
            Title = a.Name,
            Description = a.DescriptionText,
            DueDate = a.DueAt,
            EstimatedMinutes = a.PointsPossible is { } p ? (int)Math.Round(p * 3) : null,
            Subject = courses.GetValueOrDefault(a.CourseCanvasId),
            Type = a.SubmissionTypes.Split(',') switch
            {
                var t when t.Contains("online_quiz") => TaskType.Exam,
                var t when t.Contains("discussion_topic") => TaskType.Task,
                _ => TaskType.Assignment,
            },
            Completed = done.Contains(a.CanvasId),
            ExternalId = a.CanvasId,
            ExternalCourseId = a.CourseCanvasId,
            ExternalUpdatedAt = a.CanvasUpdatedAt,
        }).ToList();
        fresh.AddRange(await PlannerTasks.ReadAsync(db, connectionId, assignments.Select(a => a.CanvasId).ToHashSet(), courses, ct));

        long created = 0, updated = 0, unchanged = 0, deleted = 0;
        foreach (var f in fresh)
        {
            if (!tasks.Remove((f.ExternalSource, f.ExternalId), out var task))
            {
                f.CreatedAt = f.UpdatedAt = f.ChangedAt = now;
                f.CreatedVersion = f.ChangeVersion = version;
                db.Tasks.Add(f);
                created++;
            }
            else if (CopyCanvasFields(f, task, version))
            {
                task.UpdatedAt = task.ChangedAt = now;
                task.ChangeVersion = version;
                updated++;
            }
            else unchanged++;
        }

        // Tasks whose assignment (or planner item) is gone are tombstoned, with the user's fields kept should it come back.
        foreach (var orphan in tasks.Values.Where(t => t.DeletedAt is null))
        {
            orphan.DeletedAt = now;
            orphan.UpdatedAt = orphan.ChangedAt = now;
            orphan.ChangeVersion = version;
            deleted++;
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new WriteCounts(created, updated, unchanged, deleted);
    }

    /// <summary>Copies what Canvas decides into the stored task; true when anything differed. A task back from deletion is created
    /// again.</summary>
    private static bool CopyCanvasFields(PlannerTask from, PlannerTask to, long version)
    {
        if (to.DeletedAt is not null) to.CreatedVersion = version;
        var changed = to.Title != from.Title || to.Description != from.Description || to.DueDate != from.DueDate
            || to.EstimatedMinutes != from.EstimatedMinutes || to.Subject != from.Subject || to.Type != from.Type
            || to.Completed != from.Completed || to.ExternalCourseId != from.ExternalCourseId
                || to.ExternalUpdatedAt != from.ExternalUpdatedAt
            || to.DeletedAt is not null;
        (to.Title, to.Description, to.DueDate, to.EstimatedMinutes, to.Subject, to.Type, to.Completed, to.ExternalCourseId,
            to.ExternalUpdatedAt, to.DeletedAt) =
            (from.Title, from.Description, from.DueDate, from.EstimatedMinutes, from.Subject, from.Type, from.Completed,
                from.ExternalCourseId, from.ExternalUpdatedAt, null);
        return changed;
    }
}
