using System.Globalization;
using System.Text.Json;
using CanvasSync.Features.Courses;

namespace CanvasSync.Features.SyncRuns.GraphQLDeltas;

/// <summary>What changed in one course: the parts to read, and for a teacher whose students' rows to read.</summary>
internal sealed record CourseChange(bool Teaches, CourseParts Parts, IReadOnlyCollection<long> ChangedAssignments, bool AllSubmissions)
{
    public bool IsNone => Parts == CourseParts.None && ChangedAssignments.Count == 0 && !AllSubmissions;
}

/// <summary>
/// The GraphQL answer against the mirror, course by course (docs/canvas.md §7 has the signals and their traps):
/// <list type="bullet">
/// <item>updatedAt later than the last sync: the course or an assignment was saved, so its assignments are read (a
/// teacher's listing then finds the assignments whose rows changed, as a REST delta does);</item>
/// <item>submissions updated since (strictly; the due-date cacher stamps them too, so an override shows): a student's
/// rows and the assignments that embed them; a teacher's rows of exactly those assignments, and their listing when a
/// row changed without being graded or submitted (an override moves no course's updatedAt);</item>
/// <item>the roster: ids, change times and the grades the caller may see, which move without any submission when an
/// assignment is unpublished, deleted or re-pointed (the second signal);</item>
/// <item>groups: their member counts (a teacher's course), or the student's own groups.</item>
/// </list>
/// Null (read as a REST delta) when the answer cannot settle it: a course new to the mirror, a current course missing
/// from the answer (concluded, or the user removed), an observer's course, a malformed answer.
/// </summary>
internal static class ChangedCourses
{
    public static GraphQLDelta.Plan? Decide(JsonElement data, MirrorState mirror, DateTime since)
    {
        if (!data.TryGetProperty("allCourses", out var list) || list.ValueKind != JsonValueKind.Array) return null;
        var changes = new Dictionary<long, CourseChange>();
        foreach (var course in list.EnumerateArray())
        {
            if (LegacyId(course) is not { } id || !mirror.CurrentCourses.TryGetValue(id, out var teaches)) return null;
            if (Of(course, id, teaches, mirror, since) is not { } change) return null;
            if (!change.IsNone) changes[id] = change;
        }

        if (mirror.CurrentCourses.Count != list.GetArrayLength()) return null;
        if (!OwnGroups(data, mirror, changes)) return null;
        return new GraphQLDelta.Plan(changes.Count > 0, changes);
    }

    private static CourseChange? Of(JsonElement course, long id, bool teaches, MirrorState mirror, DateTime since)
    {
        if (Connection(course, "submissionsConnection") is not { } submissions || Connection(course, "enrollmentsConnection") is not { } roster) return null;
        var parts = CourseParts.None;
        if (Time(course, "updatedAt") is not { } updated || updated > since)
            parts |= CourseParts.AssignmentGroups | CourseParts.Assignments | (teaches ? CourseParts.None : CourseParts.Submissions);

        var changedAssignments = new HashSet<long>();
        if (submissions.Nodes.Count > 0 || submissions.More)
        {
            // A student's rows come with their assignments (embedded) and their grades (the roster's own enrollment).
            if (!teaches) parts |= CourseParts.Assignments | CourseParts.Submissions | CourseParts.Enrollments;
            foreach (var node in submissions.Nodes) changedAssignments.Add(LegacyId(node, "assignmentId") ?? 0);
            // A row neither graded nor submitted since was changed by its assignment: an override (which touches the
            // assignment, has_overrides and updated_at, but not the course) or a regrade. Read the listing too.
            if (submissions.More || submissions.Nodes.Any(n => !(Time(n, "gradedAt") > since || Time(n, "submittedAt") > since)))
                parts |= CourseParts.Assignments;
        }

        var held = mirror.Enrollments.GetValueOrDefault(id, []);
        if (roster.More || !roster.Nodes.Select(n => LegacyId(n) ?? 0).ToHashSet().SetEquals(held.Keys)
            || roster.Nodes.Any(n => Time(n, "updatedAt") is not { } t || t > since || (Grades(n) is { } g && g != held.GetValueOrDefault(LegacyId(n) ?? 0))))
            parts |= CourseParts.Enrollments;

        if (teaches)
        {
            if (Connection(course, "groupsConnection") is not { } groups) return null;
            var counts = groups.Nodes.Select(n => (LegacyId(n) ?? 0, Members(n))).ToHashSet();
            if (groups.More || !counts.SetEquals(mirror.Groups.Where(g => g.Value.Course == id).Select(g => (g.Key, g.Value.Members))))
                parts |= CourseParts.Groups;
            return new CourseChange(true, parts, submissions.More ? [] : changedAssignments, submissions.More);
        }

        return new CourseChange(false, parts, [], false);
    }

    /// <summary>
    /// A student reads only their own groups (with their members): a group joined, left, or whose members changed has
    /// its course's groups read. A group the mirror does not know could be in any of the student's current courses.
    /// </summary>
    private static bool OwnGroups(JsonElement data, MirrorState mirror, Dictionary<long, CourseChange> changes)
    {
        var studied = mirror.CurrentCourses.Where(c => !c.Value).Select(c => c.Key).ToHashSet();
        if (studied.Count == 0) return true;
        if (!data.TryGetProperty("legacyNode", out var me) || me.ValueKind != JsonValueKind.Object
            || !me.TryGetProperty("groups", out var list) || list.ValueKind != JsonValueKind.Array) return false;
        var own = list.EnumerateArray().Select(g => (LegacyId(g) ?? 0, Members(g))).ToHashSet();
        own.SymmetricExceptWith(mirror.Groups.Where(g => studied.Contains(g.Value.Course)).Select(g => (g.Key, g.Value.Members)));
        foreach (var (group, _) in own)
        {
            foreach (var course in mirror.Groups.TryGetValue(group, out var known) && studied.Contains(known.Course) ? [known.Course] : studied)
            {
                var change = changes.GetValueOrDefault(course) ?? new CourseChange(false, CourseParts.None, [], false);
                changes[course] = change with { Parts = change.Parts | CourseParts.Groups };
            }
        }

        return true;
    }

    private static long? LegacyId(JsonElement node, string name = "_id") =>
        node.TryGetProperty(name, out var id) && id.ValueKind == JsonValueKind.String && long.TryParse(id.GetString(), CultureInfo.InvariantCulture, out var n) ? n : null;

    private static int Members(JsonElement group) => group.TryGetProperty("membersCount", out var c) && c.TryGetInt32(out var n) ? n : -1;

    /// <summary>An enrollment's grades, when the caller may see them (a student their own, a teacher everyone's).</summary>
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
}
