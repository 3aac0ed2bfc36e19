using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CanvasSync.Canvas;
using CanvasSync.Data;
using CanvasSync.Features.Courses;
using CanvasSync.Features.Planner;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// A student's delta through Canvas's GraphQL (docs/architecture.md, "Deltas through GraphQL"). One query asks, for
/// every current course: its updatedAt (moved by every assignment save), the submissions updated since the last sync,
/// the roster's ids and change times with the student's own grades; and the student's own groups with their member counts. Compared with what the mirror holds, that says
/// which courses changed and how; only those are read, over REST, and only the parts the change touched, so a quiet
/// delta costs who-am-I and this query (and the planner, now and then: Sync:PlannerEveryMinutes). The rows stay REST's JSON, so a delta writes what a full sync
/// writes. Anything the query cannot settle (a course new to the mirror or gone from the list, a page too long, a
/// teacher's or an observer's course) makes the run an ordinary REST delta, as does a Canvas that refuses GraphQL:
/// that is remembered per connection for a while (Sync:GraphQLRetryHours) and logged once.
/// </summary>
internal sealed partial class GraphQLDelta(DatabaseTarget database, TimeProvider time, TimeSpan retryAfterRefusal, TimeSpan plannerEvery, ILogger logger)
{
    /// <summary>
    /// Every list asks for its page (a list without first: stops at 20), states are spelt out (the default leaves
    /// unsubmitted rows out) and updatedSince is the last sync's start less an overlap (Canvas compares strictly).
    /// </summary>
    internal const string Query = """
        query CanvasSyncChanges($since: DateTime, $me: ID!) {
          allCourses {
            _id
            updatedAt
            submissionsConnection(first: 100, filter: {updatedSince: $since, states: [unsubmitted, submitted, pending_review, graded, ungraded]}) {
              nodes { _id }
              pageInfo { hasNextPage }
            }
            enrollmentsConnection(first: 100, filter: {states: [invited, creation_pending, active, inactive, completed]}) {
              nodes { _id updatedAt grades { currentScore finalScore currentGrade finalGrade } }
              pageInfo { hasNextPage }
            }
          }
          legacyNode(_id: $me, type: User) {
            ... on User { groups { _id membersCount } }
          }
        }
        """;

    private readonly ConcurrentDictionary<long, DateTime> _refusedUntil = new();

    /// <summary>What a delta reads: the course list (for the courses' own rows), the changed parts of changed courses, the planner.</summary>
    public sealed record Plan(bool ReadCourseList, IReadOnlyDictionary<long, StudentCourseParts> Courses, bool ReadPlanner = true);

    /// <summary>What to read, or null to read as a REST delta.</summary>
    public async Task<Plan?> PlanAsync(CanvasSession session, RunContext run, long canvasUserId, CancellationToken ct)
    {
        if (run.Type != SyncType.Delta || run.SlowLane || run.ChangesSince is not { } since || !run.Scope.IsAll) return null;
        var now = time.GetUtcNow().UtcDateTime;
        if (_refusedUntil.TryGetValue(run.ConnectionId, out var until) && until > now) return null;
        var mirror = await MirrorState.ReadAsync(database, run.ConnectionId, ct);
        if (mirror is null) return null;

        JsonDocument answer;
        try
        {
            answer = await session.GraphQLAsync(Query, new JsonObject
            {
                ["since"] = since.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["me"] = canvasUserId.ToString(CultureInfo.InvariantCulture),
            }, ct);
        }
        catch (CanvasGraphQLRefusedException e)
        {
            _refusedUntil[run.ConnectionId] = now + retryAfterRefusal;
            LogRefused(logger, run.ConnectionId, e.Message, now + retryAfterRefusal);
            return null;
        }
        catch (CanvasException e) when (e is not CanvasTokenException && !ct.IsCancellationRequested)
        {
            LogFailed(logger, run.ConnectionId, e.Message);
            return null;
        }

        using (answer)
        {
            if (Decide(answer.RootElement.GetProperty("data"), mirror, since) is not { } plan) return null;
            // Planner notes and "marked done" show in no GraphQL field: the planner is read when a course changed, and otherwise now and then.
            return plan with { ReadPlanner = plan.Courses.Count > 0 || mirror.PlannerReadAt is not { } read || read < now - plannerEvery };
        }
    }

    /// <summary>The plan's reads, opened as the run's first commit in place of the course list's usual children.</summary>
    public static Task ApplyAsync(PageWrite write, Plan plan)
    {
        if (plan.ReadCourseList) write.Open(0, CoursesCollection.ListingOnlyCheckpoint, CoursesCollection.FirstPage);
        if (plan.ReadPlanner) write.Open(0, PlannerItemsCollection.Instance.Kind, PlannerItemsCollection.FirstPage(write.Now.Date.AddDays(-365)));
        foreach (var (courseId, parts) in plan.Courses) CoursesCollection.OpenStudentCourse(write, courseId, parts);
        return Task.CompletedTask;
    }

    /// <summary>Course by course, what moved since <paramref name="since"/>; null when the answer cannot be trusted to tell.</summary>
    internal static Plan? Decide(JsonElement data, MirrorState mirror, DateTime since)
    {
        if (!data.TryGetProperty("allCourses", out var list) || list.ValueKind != JsonValueKind.Array) return null;
        var courses = new Dictionary<long, StudentCourseParts>();
        foreach (var course in list.EnumerateArray())
        {
            if (LegacyId(course) is not { } id || !mirror.CurrentCourses.Contains(id)) return null; // new to the mirror: read everything
            // The course or one of its assignments was saved: its assignments (and their groups) and the student's rows.
            // The roster and the groups have signals of their own, below.
            var parts = StudentCourseParts.None;
            if (Time(course, "updatedAt") is not { } updated || updated > since)
                parts = StudentCourseParts.AssignmentGroups | StudentCourseParts.Assignments | StudentCourseParts.Submissions;
            if (Connection(course, "submissionsConnection") is not { } submissions || submissions.Nodes.Count > 0 || submissions.More)
                parts |= StudentCourseParts.Assignments | StudentCourseParts.Submissions | StudentCourseParts.Enrollments; // grades, own and embedded
            // The roster changed (someone joined, left, changed state), or the student's own grades moved: an unpublished or
            // deleted assignment, or new points, change the grades without touching a submission (the second signal of §7).
            var roll = mirror.Enrollments.GetValueOrDefault(id, []);
            if (Connection(course, "enrollmentsConnection") is not { } roster || roster.More
                || !roster.Nodes.Select(n => LegacyId(n) ?? 0).ToHashSet().SetEquals(roll.Keys)
                || roster.Nodes.Any(n => Time(n, "updatedAt") is not { } t || t > since
                    || (Grades(n) is { } grades && grades != roll.GetValueOrDefault(LegacyId(n) ?? 0))))
                parts |= StudentCourseParts.Enrollments;
            if (parts != StudentCourseParts.None) courses[id] = parts;
        }

        // A current course the query no longer lists was concluded, or the student left it: the REST delta settles it.
        if (mirror.CurrentCourses.Count != list.GetArrayLength()) return null;

        // A student reads only their own groups (with their members): a group joined, left, or whose members changed
        // has its course's groups read. A group the mirror does not know could be in any current course.
        if (!data.TryGetProperty("legacyNode", out var me) || me.ValueKind != JsonValueKind.Object
            || !me.TryGetProperty("groups", out var groupList) || groupList.ValueKind != JsonValueKind.Array) return null;
        var own = groupList.EnumerateArray().Select(g => (Id: LegacyId(g) ?? 0, Members: g.TryGetProperty("membersCount", out var c) && c.TryGetInt32(out var n) ? n : -1)).ToHashSet();
        var held = mirror.Groups.Where(g => mirror.CurrentCourses.Contains(g.Value.Course)).Select(g => (Id: g.Key, g.Value.Members)).ToHashSet();
        own.SymmetricExceptWith(held);
        foreach (var (group, _) in own)
        {
            foreach (var course in mirror.Groups.TryGetValue(group, out var known) ? [known.Course] : mirror.CurrentCourses)
                courses[course] = courses.GetValueOrDefault(course) | StudentCourseParts.Groups;
        }

        return new Plan(courses.Count > 0, courses);
    }

    private static long? LegacyId(JsonElement node) =>
        node.TryGetProperty("_id", out var id) && id.ValueKind == JsonValueKind.String && long.TryParse(id.GetString(), CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>An enrollment's grades, when the caller may see them (their own).</summary>
    private static EnrollmentGrades? Grades(JsonElement enrollment)
    {
        if (!enrollment.TryGetProperty("grades", out var g) || g.ValueKind != JsonValueKind.Object) return null;
        static double? Number(JsonElement g, string name) => g.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        static string? Text(JsonElement g, string name) => g.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new EnrollmentGrades(Number(g, "currentScore"), Number(g, "finalScore"), Text(g, "currentGrade"), Text(g, "finalGrade"));
    }

    private static DateTime? Time(JsonElement node, string name) =>
        node.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.String && t.TryGetDateTime(out var at) ? at.ToUniversalTime() : null;

    private static (List<JsonElement> Nodes, bool More)? Connection(JsonElement course, string name)
    {
        if (!course.TryGetProperty(name, out var connection) || connection.ValueKind != JsonValueKind.Object
            || !connection.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array) return null;
        var more = connection.TryGetProperty("pageInfo", out var info) && info.TryGetProperty("hasNextPage", out var next) && next.ValueKind == JsonValueKind.True;
        return (nodes.EnumerateArray().ToList(), more);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canvas refused GraphQL to connection {ConnectionId} ({Reason}); its deltas read REST until {Until:u}")]
    private static partial void LogRefused(ILogger logger, long connectionId, string reason, DateTime until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The GraphQL delta of connection {ConnectionId} failed ({Reason}); this delta reads REST")]
    private static partial void LogFailed(ILogger logger, long connectionId, string reason);
}

/// <summary>What the mirror holds that the GraphQL query is compared with.</summary>
/// <summary>An enrollment's four grades, as the mirror's columns and GraphQL's Grades hold them.</summary>
internal sealed record EnrollmentGrades(double? CurrentScore, double? FinalScore, string? CurrentGrade, string? FinalGrade);

internal sealed record MirrorState(HashSet<long> CurrentCourses, Dictionary<long, Dictionary<long, EnrollmentGrades>> Enrollments, Dictionary<long, (long Course, int Members)> Groups,
    DateTime? PlannerReadAt)
{
    /// <summary>
    /// The mirror's picture of a student's current courses (those GraphQL's allCourses lists: available, with an active
    /// or invited enrollment), their rosters, and the student's groups with their member counts; null when the connection holds a course
    /// it teaches or observes, or none at all: those deltas read REST.
    /// </summary>
    public static async Task<MirrorState?> ReadAsync(DatabaseTarget database, long connectionId, CancellationToken ct)
    {
        await using var connection = database.CreateConnection();
        await connection.OpenAsync(ct);
        var current = new HashSet<long>();
        var any = false;
        await foreach (var (id, raw) in RowsAsync(connection, connectionId, "SELECT canvas_id, raw_json FROM courses WHERE connection_id = @c AND deleted_at IS NULL",
                           r => (r.GetInt64(0), r.GetString(1)), ct))
        {
            any = true;
            var course = JsonSerializer.Deserialize(raw, CoursesWire.Default.CanvasCourse);
            if (course is null || course.AccessRestrictedByDate == true) continue;
            if (!course.CallerStudies) return null;
            if (course.WorkflowState == "available" && course.Enrollments?.Any(e => e.EnrollmentState is "active" or "invited") == true) current.Add(id);
        }

        if (!any) return null;
        var enrollments = new Dictionary<long, Dictionary<long, EnrollmentGrades>>();
        await foreach (var (course, id, grades) in RowsAsync(connection, connectionId,
                           "SELECT course_canvas_id, canvas_id, current_score, final_score, current_grade, final_grade FROM enrollments WHERE connection_id = @c AND deleted_at IS NULL",
                           r => (r.GetInt64(0), r.GetInt64(1), new EnrollmentGrades(Sql.Double(r, 2), Sql.Double(r, 3), Sql.String(r, 4), Sql.String(r, 5))), ct))
            (enrollments.TryGetValue(course, out var roster) ? roster : enrollments[course] = [])[id] = grades;
        var groups = new Dictionary<long, (long Course, int Members)>();
        await foreach (var (id, course, members) in RowsAsync(connection, connectionId, "SELECT canvas_id, course_canvas_id, members_count FROM groups WHERE connection_id = @c AND deleted_at IS NULL",
                           r => (r.GetInt64(0), r.GetInt64(1), r.GetInt32(2)), ct))
            groups[id] = (course, members);
        // The last run that read the planner (it left planner counts) and did not fail.
        await using var db = database.CreateContext();
        var plannerReadAt = await db.SyncRuns
            .Where(r => r.ConnectionId == connectionId && (r.Status == SyncStatus.Completed || r.Status == SyncStatus.CompletedWithErrors)
                && db.SyncRunCounts.Any(k => k.RunId == r.Id && k.EntityType == PlannerItemsCollection.Table.EntityType))
            .MaxAsync(r => r.StartedAt, ct);
        return new MirrorState(current, enrollments, groups, plannerReadAt);
    }

    private static async IAsyncEnumerable<T> RowsAsync<T>(System.Data.Common.DbConnection connection, long connectionId, string sql,
        Func<System.Data.Common.DbDataReader, T> read, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var cmd = Sql.Command(connection, null, sql);
        Sql.Add(cmd, "c", connectionId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) yield return read(reader);
    }
}
