using CanvasSync.Features.Courses;
using CanvasSync.Features.Enrollments;

namespace CanvasSync.Features.SyncRuns.GraphQLDeltas;

/// <summary>
/// What changed in one course: the parts to read; for a teacher, whether rows were graded or submitted since (read
/// through Canvas's own since filters), and the assignments whose rows changed otherwise (read whole); whether the
/// course's own row may have changed (it is then read again, in the course list); a student's own enrollments whose
/// grades alone moved, with the grades the answer gave (written into their rows, the roster left unread).
/// </summary>
internal sealed record CourseChange(bool Teaches, CourseParts Parts, bool GradedOrSubmitted, IReadOnlyCollection<long> RederivedAssignments,
    bool CourseRow = false, IReadOnlyDictionary<long, GradeTexts>? Regraded = null)
{
    public bool IsNone => Parts == CourseParts.None && !GradedOrSubmitted && RederivedAssignments.Count == 0 && !CourseRow
        && (Regraded is null || Regraded.Count == 0);
}

/// <summary>
/// The GraphQL answer against the mirror, course by course (docs/canvas.md §7 has the signals and their traps):
/// <list type="bullet">
/// <item>updatedAt later than the last sync: the course or an assignment was saved, so its assignments are read (a
/// teacher's listing then finds the assignments whose rows changed, as a REST delta does);</item>
/// <item>assignment groups: a group added or gone, saved or touched by a reorder of its assignments (its updatedAt:
/// the assignments are read too), or moved (its position, which a reorder of groups changes without moving any
/// updatedAt);</item>
/// <item>submissions updated since (strictly; the due-date cacher stamps them too, so an override shows): a student's
/// rows, read in the assignments that embed them; for a teacher, the rows graded or submitted since (Canvas's REST since
/// filters), and for rows changed otherwise (created, or recomputed by an override, which moves no course's
/// updatedAt) every row of their assignments and the listing;</item>
/// <item>the roster: ids, change times and the grades the caller may see, which move without any submission when an
/// assignment is unpublished, deleted or re-pointed (the second signal); a student's own grades are also how a
/// changed row is known to have left their scores alone, and when they moved they are written into the student's own
/// row (no roster read either way);</item>
/// <item>groups: their member counts (a teacher's course), or the student's own groups;</item>
/// <item>the course's own row (the course list): its fields move updatedAt; its enrollments[] are the caller's own,
/// with a student's total scores, so they move with the caller's enrollment or grades, never with a classmate's.</item>
/// </list>
/// A current course allCourses no longer lists is asked by id (<see cref="ChangeAnswer.Left"/>, <see cref="ChangeAnswer.Gone"/>).
/// Null (read as a REST delta) when the answer cannot settle it: a course new to the mirror, an other course Canvas no
/// longer shows, a list Canvas would not give. A course with more changed rows than a few pages is read as a REST
/// delta reads it.
/// </summary>
internal static class ChangedCourses
{
    public static GraphQLDelta.Plan? Decide(ChangeAnswer answer, MirrorState mirror, DateTime since)
    {
        var changes = new Dictionary<long, CourseChange>();
        foreach (var course in answer.Courses)
        {
            if (!mirror.CurrentCourses.TryGetValue(course.Id, out var teaches) || course.Unread.Count > 0) return null;
            var change = Of(course, teaches, mirror, since);
            if (!change.IsNone) changes[course.Id] = change;
        }

        // A current course allCourses left out was asked by id: concluded, or the caller's enrollment ended, its own row
        // changed (the course list); gone from Canvas's view, the course list takes it and all it holds away.
        foreach (var (id, teaches) in mirror.CurrentCourses.Where(c => answer.Courses.All(a => a.Id != c.Key)))
        {
            if (answer.Left.TryGetValue(id, out var left) && left.Unread.Count == 0)
                changes[id] = Of(left, teaches, mirror, since) with { CourseRow = true };
            else if (!answer.Gone.Contains(id)) return null;
        }

        if (!OwnGroups(answer, mirror, changes)) return null;
        foreach (var id in answer.Gone) changes.Remove(id);

        // The courses allCourses leaves out (concluded, an inactive enrollment) were asked by id; one Canvas no longer
        // shows is gone, which the course list settles.
        foreach (var (id, teaches) in mirror.OtherCourses)
        {
            if (!answer.Others.TryGetValue(id, out var course) || course.Unread.Count > 0) return null;
            var change = Of(course, teaches, mirror, since);
            if (!change.IsNone) changes[id] = change;
        }

        return new GraphQLDelta.Plan(answer.Gone.Count > 0 || changes.Values.Any(c => c.CourseRow), changes);
    }

    private static CourseChange Of(CourseAnswer course, bool teaches, MirrorState mirror, DateTime since)
    {
        // Too many changed rows to page (a course copy): the course is read as a REST delta reads it.
        if (course.TooManyChangedRows) return new CourseChange(teaches, CourseParts.All, false, [], CourseRow: true);
        var parts = CourseParts.None;
        var saved = course.UpdatedAt is not { } updated || updated > since;
        if (saved) parts |= CourseParts.Assignments;

        // Assignment groups: a save moves the group's updatedAt, a reorder of groups only positions (an update_all). A
        // reorder of assignments touches their groups alone (touch_all): their assignments' positions moved, or one
        // was dragged in from another group, with no course updatedAt to say so.
        var positions = mirror.AssignmentGroups.GetValueOrDefault(course.Id, []);
        if (!course.AssignmentGroups.Select(g => g.Id).ToHashSet().SetEquals(positions.Keys)
            || course.AssignmentGroups.Any(g => g.UpdatedAt is not { } t || t > since))
            parts |= CourseParts.AssignmentGroups | CourseParts.Assignments;
        else if (course.AssignmentGroups.Any(g => g.Position != positions[g.Id]))
            parts |= CourseParts.AssignmentGroups;

        var held = mirror.Enrollments.GetValueOrDefault(course.Id, []);
        var joinedOrLeft = !course.Roster.Select(e => e.Id).ToHashSet().SetEquals(held.Keys);
        var changed = course.Roster
            .Where(e => e.UpdatedAt is not { } t || t > since || (e.Grades is { } g && g != held.GetValueOrDefault(e.Id))).ToList();
        // A student's own row whose grades alone moved (a recompute of the scores, which leaves its updatedAt) is written
        // from the answer's grades; any other change to the roster is read with it.
        var regraded = teaches ? [] : changed
            .Where(e => mirror.OwnEnrollments.Contains(e.Id) && e.UpdatedAt is { } at && at <= since && e.GradesJson is not null).ToList();
        if (joinedOrLeft || changed.Count > regraded.Count) parts |= CourseParts.Enrollments;
        var own = course.Roster.Where(e => mirror.OwnEnrollments.Contains(e.Id)).ToList();
        var courseRow = saved || joinedOrLeft || changed.Any(e => mirror.OwnEnrollments.Contains(e.Id));

        // A student's rows come embedded in their assignments. Their grades too may have moved: the answer's own
        // grades say whether; without them (Canvas would not show them) the roster is read to be sure.
        var rows = course.Submissions;
        if (rows.Count > 0 && !teaches)
        {
            parts |= CourseParts.Assignments;
            if (own.Count == 0 || own.Any(e => e.Grades is null)) (parts, courseRow) = (parts | CourseParts.Enrollments, true);
        }

        // A teacher's rows changed otherwise are re-read by assignment; those of a student new to the course (created for
        // them) come with the roster, which reads a new student's rows (EnrollmentsCollection).
        var known = mirror.People.GetValueOrDefault(course.Id, []);
        var rederived = rows.Where(r => !(r.GradedAt > since || r.SubmittedAt > since) && (known.Contains(r.UserId) || !joinedOrLeft))
            .Select(r => r.AssignmentId).ToHashSet();
        if (teaches && rederived.Count > 0) parts |= CourseParts.Assignments;
        if (!teaches)
        {
            return new CourseChange(false, parts, false, [], courseRow,
                parts.HasFlag(CourseParts.Enrollments) ? null : regraded.ToDictionary(e => e.Id, e => e.GradesJson!));
        }

        var groups = course.Groups.Select(g => (g.Id, g.Members)).ToHashSet();
        if (!groups.SetEquals(mirror.Groups.Where(g => g.Value.Course == course.Id).Select(g => (g.Key, g.Value.Members))))
            parts |= CourseParts.Groups;
        return new CourseChange(true, parts, rows.Any(r => r.GradedAt > since || r.SubmittedAt > since), rederived, courseRow);
    }

    /// <summary>
    /// A student reads only their own groups (with their members): a group joined, left, or whose members changed has
    /// its course's groups read. A group the mirror does not know is found in the answer's courses (a course's
    /// groupsConnection lists all its groups to a student; a Group has no link to its course); one in none of them
    /// could be in any of the student's current courses.
    /// </summary>
    private static bool OwnGroups(ChangeAnswer answer, MirrorState mirror, Dictionary<long, CourseChange> changes)
    {
        var studied = mirror.CurrentCourses.Where(c => !c.Value).Select(c => c.Key).ToHashSet();
        if (studied.Count == 0) return true;
        if (answer.OwnGroups is null) return false;
        var own = answer.OwnGroups.Select(g => (g.Id, g.Members)).ToHashSet();
        own.SymmetricExceptWith(mirror.Groups.Where(g => studied.Contains(g.Value.Course)).Select(g => (g.Key, g.Value.Members)));
        foreach (var (group, _) in own)
        {
            var listedIn = answer.Courses.Where(c => studied.Contains(c.Id) && c.Groups.Any(g => g.Id == group)).Select(c => c.Id).ToList();
            IEnumerable<long> courses = mirror.Groups.TryGetValue(group, out var known) && studied.Contains(known.Course) ? [known.Course]
                : listedIn.Count > 0 ? listedIn : studied;
            foreach (var course in courses)
            {
                var change = changes.GetValueOrDefault(course) ?? new CourseChange(false, CourseParts.None, false, []);
                changes[course] = change with { Parts = change.Parts | CourseParts.Groups };
            }
        }

        return true;
    }
}
