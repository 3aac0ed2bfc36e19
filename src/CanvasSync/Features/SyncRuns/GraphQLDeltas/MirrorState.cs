using System.Data.Common;
using System.Text.Json;
using CanvasSync.Data;
using CanvasSync.Features.Courses;
using CanvasSync.Features.Planner;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.SyncRuns.GraphQLDeltas;

/// <summary>An enrollment's four grades, as the mirror's columns and GraphQL's Grades hold them.</summary>
internal sealed record EnrollmentGrades(double? CurrentScore, double? FinalScore, string? CurrentGrade, string? FinalGrade);

/// <summary>
/// What the mirror holds that the GraphQL answer is compared with: the current courses (those allCourses lists) and
/// the other courses the caller still reads (concluded, or their enrollment inactive), each with whether the caller
/// teaches it; each course's roster with its grades, which of those enrollments are the caller's own (a course lists
/// them, with a student's total scores), the people each course's roster names, each course's assignment groups with
/// their positions, the groups with their member counts, and when the whole planner was last read.
/// </summary>
internal sealed record MirrorState(Dictionary<long, bool> CurrentCourses, Dictionary<long, bool> OtherCourses,
    Dictionary<long, Dictionary<long, EnrollmentGrades>> Enrollments, HashSet<long> OwnEnrollments, Dictionary<long, HashSet<long>> People,
    Dictionary<long, Dictionary<long, int>> AssignmentGroups,
    Dictionary<long, (long Course, int Members)> Groups, DateTime? PlannerReadAt)
{
    /// <summary>Null when the connection holds a course it only observes, or no course at all: those deltas read REST.</summary>
    public static async Task<MirrorState?> ReadAsync(IDbContextFactory<CanvasSyncDbContext> contexts, long connectionId,
        long canvasUserId, CancellationToken ct)
    {
        // One connection for the raw reads and the query at the end: the context's own, held open.
        await using var db = contexts.CreateDbContext();
        await db.Database.OpenConnectionAsync(ct);
        var connection = db.Database.GetDbConnection();
        var current = new Dictionary<long, bool>();
        var others = new Dictionary<long, bool>();
        var any = false;
        foreach (var (id, raw) in await RowsAsync(connection, connectionId,
            "SELECT canvas_id, raw_json FROM courses WHERE connection_id = @c AND deleted_at IS NULL",
                           r => (r.GetInt64(0), r.GetString(1)), ct))
        {
            any = true;
            var course = JsonSerializer.Deserialize(raw, CoursesWire.Default.CanvasCourse);
            if (course is null || course.AccessRestrictedByDate == true) continue;
            if (course.CallerOnlyObserves) return null;
            // allCourses: active or invited enrollments in courses not concluded; a student sees no unpublished course.
            var listed = course.WorkflowState == "available" || (course.CallerTeaches && course.WorkflowState == "unpublished");
            if (listed && course.Enrollments?.Any(e => e.EnrollmentState is "active" or "invited") == true)
                current[id] = course.CallerTeaches;
            else others[id] = course.CallerTeaches;
        }

        if (!any) return null;
        var enrollments = new Dictionary<long, Dictionary<long, EnrollmentGrades>>();
        var own = new HashSet<long>();
        var people = new Dictionary<long, HashSet<long>>();
        foreach (var (course, id, user, grades) in await RowsAsync(connection, connectionId,
                           "SELECT course_canvas_id, canvas_id, user_canvas_id, current_score, final_score, current_grade, final_grade FROM enrollments WHERE connection_id = @c AND deleted_at IS NULL",
                           r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2),
                               new EnrollmentGrades(Sql.Double(r, 3), Sql.Double(r, 4), Sql.String(r, 5), Sql.String(r, 6))), ct))
        {
            (enrollments.TryGetValue(course, out var roster) ? roster : enrollments[course] = [])[id] = grades;
            (people.TryGetValue(course, out var named) ? named : people[course] = []).Add(user);
            if (user == canvasUserId) own.Add(id);
        }

        var assignmentGroups = new Dictionary<long, Dictionary<long, int>>();
        foreach (var (course, id, position) in await RowsAsync(connection, connectionId,
                           "SELECT course_canvas_id, canvas_id, position FROM assignment_groups WHERE connection_id = @c AND deleted_at IS NULL",
                           r => (r.GetInt64(0), r.GetInt64(1), r.GetInt32(2)), ct))
            (assignmentGroups.TryGetValue(course, out var held) ? held : assignmentGroups[course] = [])[id] = position;
        var groups = new Dictionary<long, (long Course, int Members)>();
        foreach (var (id, course, members) in await RowsAsync(connection, connectionId,
                           "SELECT canvas_id, course_canvas_id, members_count FROM groups WHERE connection_id = @c AND deleted_at IS NULL",
                           r => (r.GetInt64(0), r.GetInt64(1), r.GetInt32(2)), ct))
            groups[id] = (course, members);

        // The last run that read the whole planner (not one course's) to its end and did not fail.
        var plannerReadAt = await db.SyncRuns
            .Where(r => r.ConnectionId == connectionId && (r.Status == SyncStatus.Completed || r.Status == SyncStatus.CompletedWithErrors)
                && db.SyncCheckpoints.Any(k => k.RunId == r.Id && k.Collection == PlannerItemsCollection.Instance.Kind && k.Done))
            .MaxAsync(r => r.StartedAt, ct);
        return new MirrorState(current, others, enrollments, own, people, assignmentGroups, groups, plannerReadAt);
    }

    private static async Task<List<T>> RowsAsync<T>(DbConnection connection, long connectionId, string sql, Func<DbDataReader, T> read,
        CancellationToken ct)
    {
        await using var cmd = Sql.Command(connection, null, sql);
        Sql.Add(cmd, "c", connectionId);
        return await Sql.RowsAsync(cmd, read, ct);
    }
}
