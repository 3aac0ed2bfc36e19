using System.Data.Common;
using System.Text;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Assignments;

/// <summary>What GET canvas/assignments narrows by.</summary>
internal sealed record AssignmentFilter(long? CourseId, DateTime? DueAfter, DateTime? DueBefore, DateTime? ChangedSince,
    bool IncludeCompleted);

/// <summary>
/// A page of GET canvas/assignments in plain SQL, the same on both databases. It is the call planner apps poll, and
/// through EF its per-query overhead and materialisation cost about three times the database's own work (measured in
/// docs/benchmarks.md); every other read stays on EF. A page is one index range with the caller's submissions joined.
/// </summary>
internal static class AssignmentPageQuery
{
    private const string Columns =
        "a.canvas_id, a.course_canvas_id, a.assignment_group_canvas_id, a.name, a.due_at, a.unlock_at, a.lock_at, "
        + "a.points_possible, a.grading_type, a.submission_types, a.published, a.quiz_id, a.discussion_topic_id, a.canvas_updated_at, a.changed_at";

    /// <param name="dated">The dated half (by due date, then id) or the undated half (by id) of the listing.</param>
    public static async Task<List<AssignmentView>> ReadAsync(CanvasSyncDbContext db, OwnConnection me, AssignmentFilter filter,
        DueCursor? after,
        bool dated, int take, CancellationToken ct)
    {
        var where = new StringBuilder("a.connection_id = @c AND a.deleted_at IS NULL");
        if (filter.CourseId is not null) where.Append(" AND a.course_canvas_id = @course");
        if (filter.DueAfter is not null) where.Append(" AND a.due_at >= @due_after");
        if (filter.DueBefore is not null) where.Append(" AND a.due_at <= @due_before");
        if (filter.ChangedSince is not null) where.Append(" AND a.changed_at >= @since");
        // Completion.IsDone, as SQL.
        if (!filter.IncludeCompleted)
            where.Append(" AND NOT EXISTS (SELECT 1 FROM submissions d WHERE d.connection_id = @c AND d.user_canvas_id = @me AND d.assignment_canvas_id = a.canvas_id"
                + " AND d.deleted_at IS NULL AND (d.excused = @yes OR d.workflow_state IN ('submitted', 'graded', 'pending_review')))");
        string order;
        if (dated)
        {
            where.Append(" AND a.due_at IS NOT NULL");
            if (after?.Due is not null) where.Append(" AND (a.due_at > @after_due OR (a.due_at = @after_due AND a.canvas_id > @after_id))");
            order = "a.due_at, a.canvas_id";
        }
        else
        {
            where.Append(" AND a.due_at IS NULL");
            if (after is { Due: null }) where.Append(" AND a.canvas_id > @after_id");
            order = "a.canvas_id";
        }

        await db.Database.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(db.Database.GetDbConnection(), null, $"""
            SELECT {Columns}, s.workflow_state, s.score, s.grade, s.submitted_at, s.graded_at, s.late, s.missing, s.excused, a.description_text, co.name
            FROM (SELECT {Columns}, a.description_text FROM assignments a WHERE {where} ORDER BY {order} LIMIT @take) a
            LEFT JOIN submissions s ON s.connection_id = @c AND s.user_canvas_id = @me AND s.assignment_canvas_id = a.canvas_id AND s.deleted_at IS NULL
            LEFT JOIN courses co ON co.connection_id = @c AND co.canvas_id = a.course_canvas_id
            ORDER BY {order}
            """);
        Sql.Add(cmd, "c", me.Id);
        Sql.Add(cmd, "me", me.CanvasUserId);
        Sql.Add(cmd, "yes", true);
        Sql.Add(cmd, "take", take);
        if (filter.CourseId is { } course) Sql.Add(cmd, "course", course);
        if (filter.DueAfter is { } from) Sql.Add(cmd, "due_after", from);
        if (filter.DueBefore is { } to) Sql.Add(cmd, "due_before", to);
        if (filter.ChangedSince is { } since) Sql.Add(cmd, "since", since);
        if (dated && after?.Due is { } due)
        {
            Sql.Add(cmd, "after_due", due);
            Sql.Add(cmd, "after_id", after.Id);
        }
        else if (!dated && after is { Due: null }) Sql.Add(cmd, "after_id", after.Id);

        var page = new List<AssignmentView>(take);
        var courseNames = new Dictionary<long, string?>(); // a page names a few courses many times: one string each
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) page.Add(Read(r, me.BaseUrl, courseNames));
        return page;
    }

    private static AssignmentView Read(DbDataReader r, string baseUrl, Dictionary<long, string?> courseNames)
    {
        var submission = r.IsDBNull(15) ? null
            : new OwnSubmissionView(r.GetString(15), Sql.Double(r, 16), Sql.String(r, 17), Sql.Utc(r, 18), Sql.Utc(r, 19), r.GetBoolean(20),
                r.GetBoolean(21), r.GetBoolean(22));
        var assignment = new Assignment
        {
            CanvasId = r.GetInt64(0),
            CourseCanvasId = r.GetInt64(1),
            AssignmentGroupCanvasId = Sql.Long(r, 2),
            Name = r.GetString(3),
            DueAt = Sql.Utc(r, 4),
            UnlockAt = Sql.Utc(r, 5),
            LockAt = Sql.Utc(r, 6),
            PointsPossible = Sql.Double(r, 7),
            GradingType = Sql.String(r, 8),
            SubmissionTypes = r.GetString(9),
            Published = r.GetBoolean(10),
            QuizId = Sql.Long(r, 11),
            DiscussionTopicId = Sql.Long(r, 12),
            CanvasUpdatedAt = Sql.Utc(r, 13),
            ChangedAt = Sql.Utc(r, 14)!.Value,
        };
        if (!courseNames.TryGetValue(assignment.CourseCanvasId, out var subject))
            courseNames[assignment.CourseCanvasId] = subject = Sql.String(r, 24);
        return AssignmentViews.ToView(assignment, submission, baseUrl, Sql.String(r, 23), subject);
    }
}
