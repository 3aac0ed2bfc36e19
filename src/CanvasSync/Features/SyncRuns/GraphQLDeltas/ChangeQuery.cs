using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CanvasSync.Canvas;
using CanvasSync.Features.Enrollments;

namespace CanvasSync.Features.SyncRuns.GraphQLDeltas;

/// <summary>
/// The "what changed" query and the paging of its nested lists. Canvas pages each nested connection on its own (at
/// most 100 a page; a list without first: stops at 20, silently), so a course with 200 students answers its first
/// 100 and a cursor: the next pages of every such list go in one follow-up query, one alias per list (Canvas allows
/// 20 aliases), until none has more. States are spelt out (the default leaves unsubmitted rows and inactive
/// enrollments out); updatedSince is strict. Grades ask for gradingPeriodId: null, the course's scores: without the
/// argument Canvas answers the current grading period's, where REST's enrollments (and so the mirror) hold the course's.
/// </summary>
internal static class ChangeQuery
{
    /// <summary>Follow-up rounds before the answer is given up on (a course that changes faster than it can be read).</summary>
    public const int MaxFollowUps = 50;

    internal const int AliasesPerQuery = 20;

    /// <summary>Every list asks for this many: Canvas's most (docs/canvas.md §7).</summary>
    internal const int PageSize = 100;

    /// <summary>
    /// Pages of changed rows a course may take before its rows are left to the REST delta: past 500 rows, reading the
    /// course's listings costs no more than paging its changes.
    /// </summary>
    public const int MaxChangedRowPages = 5;

    /// <summary>The lists the query pages, by field name.</summary>
    internal static IReadOnlyCollection<string> ListNames => Lists.Keys;

    private static readonly Dictionary<string, string> Lists = new(StringComparer.Ordinal)
    {
        ["submissionsConnection"] = $$"""
            submissionsConnection(first: {{PageSize}}, after: $after, filter: {updatedSince: $since, states: [unsubmitted, submitted, pending_review, graded, ungraded]}) {
              nodes { _id assignmentId user { _id } gradedAt submittedAt }
              pageInfo { hasNextPage endCursor }
            }
            """,
        ["enrollmentsConnection"] = $$"""
            enrollmentsConnection(first: {{PageSize}}, after: $after, filter: {states: [invited, creation_pending, active, inactive, completed]}) {
              nodes { _id updatedAt grades(gradingPeriodId: null) { currentScore finalScore currentGrade finalGrade } }
              pageInfo { hasNextPage endCursor }
            }
            """,
        ["assignmentGroupsConnection"] = $$"""
            assignmentGroupsConnection(first: {{PageSize}}, after: $after) {
              nodes { _id updatedAt position }
              pageInfo { hasNextPage endCursor }
            }
            """,
        ["groupsConnection"] = $$"""
            groupsConnection(first: {{PageSize}}, after: $after) {
              nodes { _id membersCount }
              pageInfo { hasNextPage endCursor }
            }
            """,
    };

    /// <summary>Other courses asked by id in the first query; more go in follow-ups.</summary>
    internal const int OthersInFirstQuery = 15;

    /// <summary>
    /// The first query: every current course with the first page of each list, the caller's own groups (Canvas has no
    /// "me"), and up to <see cref="OthersInFirstQuery"/> other courses by id (aliased): allCourses leaves out the
    /// courses of concluded or inactive enrollments, which the mirror still holds and Canvas can still change.
    /// </summary>
    internal static string First(IReadOnlyList<long> others) =>
        "query CanvasSyncChanges($since: DateTime, $me: ID!, $after: String) {\n  allCourses {\n    _id\n    updatedAt\n"
        + string.Concat(Lists.Values.Select(l => Indent(l, 4)))
        + "  }\n"
        + string.Concat(others.Select((id,
            i) => $"  o{i}: course(id: \"{id}\") {{\n    _id\n    updatedAt\n" + string.Concat(Lists.Values.Select(l => Indent(l, 4)))
            + "  }\n"))
        + "  legacyNode(_id: $me, type: User) {\n    ... on User { groups { _id membersCount } }\n  }\n}\n";

    /// <summary>Every course and list, with every page; null when Canvas answered something that cannot be read as this query's
    /// answer.</summary>
    public static async Task<ChangeAnswer?> AskAsync(CanvasSession session, DateTime since, long me, IReadOnlyList<long> others,
        CancellationToken ct)
    {
        var variables = new JsonObject { ["since"] = Iso(since), ["me"] = me.ToString(CultureInfo.InvariantCulture) };
        var courses = new List<CourseAnswer>();
        var asked = new Dictionary<long, CourseAnswer>();
        var pending = new List<(CourseAnswer Course, string List, string? Cursor)>();
        List<GroupNode>? own;
        var inFirst = others.Take(OthersInFirstQuery).ToList();
        using (var first = await session.GraphQLAsync(First(inFirst), variables, ct))
        {
            var data = first.RootElement.GetProperty("data");
            if (!data.TryGetProperty("allCourses", out var list) || list.ValueKind != JsonValueKind.Array) return null;
            foreach (var c in list.EnumerateArray())
            {
                if (Id(c) is not { } id) return null;
                courses.Add(ReadCourse(c, new CourseAnswer(id), pending));
            }

            for (var i = 0; i < inFirst.Count; i++)
            {
                // A course Canvas no longer shows the caller is null: left out, so the decision sees it missing.
                if (data.TryGetProperty("o" + i, out var c) && c.ValueKind == JsonValueKind.Object)
                    asked[inFirst[i]] = ReadCourse(c, new CourseAnswer(inFirst[i]), pending);
            }

            own = data.TryGetProperty("legacyNode", out var node) && node.ValueKind == JsonValueKind.Object
                && node.TryGetProperty("groups", out var groups)
                && groups.ValueKind == JsonValueKind.Array ? groups.EnumerateArray().Select(Group).ToList() : null;
        }

        // The other courses past the first query's share: their first pages go in follow-ups.
        foreach (var id in others.Skip(OthersInFirstQuery))
        {
            var course = asked[id] = new CourseAnswer(id);
            pending.AddRange(Lists.Keys.Select(list => (course, list, (string?)null)));
        }

        return await FollowUpsAsync(session, since, pending, gone: null, ct) ? new ChangeAnswer(courses, asked, own) : null;
    }

    /// <summary>
    /// Courses asked by id alone, in follow-ups (current courses allCourses no longer lists): those Canvas shows, every
    /// page of their lists, and those it no longer shows the caller (removed from them, or deleted); null when the
    /// answer cannot be read.
    /// </summary>
    public static async Task<(Dictionary<long, CourseAnswer> Shown, HashSet<long> Gone)?> AskByIdAsync(CanvasSession session,
        DateTime since, IReadOnlyList<long> ids, CancellationToken ct)
    {
        var shown = ids.ToDictionary(id => id, id => new CourseAnswer(id));
        var pending = shown.Values.SelectMany(c => Lists.Keys.Select(list => (c, list, (string?)null))).ToList();
        var gone = new HashSet<long>();
        if (!await FollowUpsAsync(session, since, pending, gone, ct)) return null;
        foreach (var id in gone) shown.Remove(id);
        return (shown, gone);
    }

    /// <summary>
    /// Pages every pending list to its end, <see cref="AliasesPerQuery"/> lists a query. A course Canvas answers null is
    /// added to <paramref name="gone"/> (its lists dropped), or without it makes the whole answer unreadable (false):
    /// the REST delta's course list settles it.
    /// </summary>
    private static async Task<bool> FollowUpsAsync(CanvasSession session, DateTime since,
        List<(CourseAnswer Course, string List, string? Cursor)> pending, HashSet<long>? gone, CancellationToken ct)
    {
        for (var round = 0; pending.Count > 0; round++)
        {
            if (round >= MaxFollowUps) return false;
            var batch = pending.Take(AliasesPerQuery).ToList();
            pending.RemoveRange(0, batch.Count);
            var asksSince = batch.Any(b => b.List == "submissionsConnection");
            using var more = await session.GraphQLAsync(FollowUp(batch.Select(b => (b.Course.Id, b.List, b.Cursor)).ToList()),
                asksSince ? new JsonObject { ["since"] = Iso(since) } : [], ct);
            var data = more.RootElement.GetProperty("data");
            for (var i = 0; i < batch.Count; i++)
            {
                var (course, list, _) = batch[i];
                if (!data.TryGetProperty("c" + i, out var c) || c.ValueKind != JsonValueKind.Object)
                {
                    if (gone is null) return false;
                    gone.Add(course.Id);
                    pending.RemoveAll(p => p.Course == course);
                    continue;
                }

                course.UpdatedAt ??= Time(c, "updatedAt");
                if (Read(c, list, course) is not { } cursor) continue;
                if (list == "submissionsConnection" && course.Submissions.Count >= MaxChangedRowPages * PageSize)
                    course.TooManyChangedRows = true;
                else pending.Add((course, list, cursor));
            }
        }

        return true;
    }

    /// <summary>A course's updatedAt and first page of each list; the lists with more go to <paramref name="pending"/>.</summary>
    private static CourseAnswer ReadCourse(JsonElement c, CourseAnswer course, List<(CourseAnswer, string, string?)> pending)
    {
        course.UpdatedAt = Time(c, "updatedAt");
        foreach (var name in Lists.Keys)
        {
            if (Read(c, name, course) is { } cursor) pending.Add((course, name, cursor));
        }

        return course;
    }

    /// <summary>The next page of each list (or the first, without a cursor): one aliased course(id:) per list, its cursor written
    /// in.</summary>
    internal static string FollowUp(IReadOnlyList<(long CourseId, string List, string? Cursor)> batch)
    {
        var asksSince = batch.Any(b => b.List == "submissionsConnection");
        // A declared variable must be used (GraphQL validation): $since only when a submissions page is asked for.
        var query = new StringBuilder(asksSince ? "query CanvasSyncMore($since: DateTime) {\n" : "query CanvasSyncMore {\n");
        for (var i = 0; i < batch.Count; i++)
        {
            var (courseId, list, cursor) = batch[i];
            var page = Lists[list].Replace("$after", cursor is null ? "null" : JsonSerializer.Serialize(cursor), StringComparison.Ordinal);
            query.Append(CultureInfo.InvariantCulture, $"  c{i}: course(id: \"{courseId}\") {{\n    _id\n    updatedAt\n")
                .Append(Indent(page, 4)).Append("  }\n");
        }

        return query.Append("}\n").ToString();
    }

    /// <summary>Adds one page of a list to the course; the cursor of the next page, if there is one. A list the caller may not read stays
    /// null.</summary>
    private static string? Read(JsonElement course, string name, CourseAnswer into)
    {
        if (!course.TryGetProperty(name, out var connection) || connection.ValueKind != JsonValueKind.Object
            || !connection.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array)
        {
            into.Unread.Add(name);
            return null;
        }

        foreach (var n in nodes.EnumerateArray())
        {
            switch (name)
            {
                case "submissionsConnection":
                    into.Submissions.Add(new SubmissionNode(Id(n) ?? 0, Id(n, "assignmentId") ?? 0,
                        n.TryGetProperty("user", out var u) && u.ValueKind == JsonValueKind.Object ? Id(u) ?? 0 : 0,
                        Time(n, "gradedAt"), Time(n, "submittedAt")));
                    break;
                case "enrollmentsConnection":
                    into.Roster.Add(new EnrollmentNode(Id(n) ?? 0, Time(n, "updatedAt"), Grades(n), GradesJson(n)));
                    break;
                case "assignmentGroupsConnection":
                    into.AssignmentGroups.Add(new AssignmentGroupNode(Id(n) ?? 0, Time(n, "updatedAt"),
                        n.TryGetProperty("position", out var p) && p.TryGetInt32(out var position) ? position : 0));
                    break;
                default:
                    into.Groups.Add(Group(n));
                    break;
            }
        }

        return connection.TryGetProperty("pageInfo", out var info) && info.TryGetProperty("hasNextPage", out var next)
            && next.ValueKind == JsonValueKind.True
            && info.TryGetProperty("endCursor", out var cursor) && cursor.ValueKind == JsonValueKind.String ? cursor.GetString() : null;
    }

    private static GroupNode Group(JsonElement g) =>
        new(Id(g) ?? 0, g.TryGetProperty("membersCount", out var c) && c.TryGetInt32(out var n) ? n : -1);

    /// <summary>An enrollment's grades, when the caller may see them (a student their own, a teacher everyone's).</summary>
    private static EnrollmentGrades? Grades(JsonElement enrollment)
    {
        if (!enrollment.TryGetProperty("grades", out var g) || g.ValueKind != JsonValueKind.Object) return null;
        static double? Number(JsonElement g, string name) => g.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble() : null;
        static string? Text(JsonElement g, string name) => g.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString() : null;
        return new EnrollmentGrades(Number(g, "currentScore"), Number(g, "finalScore"), Text(g, "currentGrade"), Text(g, "finalGrade"));
    }

    /// <summary>The same grades as Canvas wrote them; a field left out reads null.</summary>
    private static GradeTexts? GradesJson(JsonElement enrollment)
    {
        if (!enrollment.TryGetProperty("grades", out var g) || g.ValueKind != JsonValueKind.Object) return null;
        static string Raw(JsonElement g, string name) => g.TryGetProperty(name, out var v) ? v.GetRawText() : "null";
        return new GradeTexts(Raw(g, "currentScore"), Raw(g, "finalScore"), Raw(g, "currentGrade"), Raw(g, "finalGrade"));
    }

    private static long? Id(JsonElement node, string name = "_id") =>
        node.TryGetProperty(name, out var id) && id.ValueKind == JsonValueKind.String
            && long.TryParse(id.GetString(), CultureInfo.InvariantCulture, out var n) ? n : null;

    private static DateTime? Time(JsonElement node, string name) =>
        node.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.String && t.TryGetDateTime(out var at) ? at.ToUniversalTime()
            : null;

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Indent(string text, int spaces) =>
        string.Concat(text.Split('\n').Where(l => l.Length > 0).Select(l => new string(' ', spaces) + l + "\n"));
}
