using System.Data.Common;
using CanvasSync.Canvas;
using CanvasSync.Canvas.Wire;
using CanvasSync.Data;
using CanvasSync.Data.Mirror;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// What each collection's page writes, which collections it opens, and what a complete listing lets it delete. Runs
/// inside the page's transaction, so rows, follow-up checkpoints and tombstones commit together or not at all, and
/// every row it changes carries the page's change stamp.
/// </summary>
internal sealed class SyncPageWriter(DbConnection connection, DbTransaction transaction, RunContext run, ChangeStamp stamp, CancellationToken ct)
{

    private async Task<WriteResult> UpsertAsync(PageEffects fx, MirrorTable table, IEnumerable<MirrorRow?> rows)
    {
        var result = await MirrorWriter.UpsertAsync(connection, transaction, table, run.ConnectionId, rows.OfType<MirrorRow>().ToList(), stamp, ct);
        fx.Count(table.EntityType, result.Counts);
        return result;
    }

    private async Task DeleteUnseenAsync(PageEffects fx, MirrorTable table, string? scope = null, long? scopeValue = null)
    {
        var deleted = await MirrorWriter.MarkUnseenDeletedAsync(connection, transaction, table, run.ConnectionId, scope, scopeValue, run.SeenSince, stamp, ct);
        fx.Count(table.EntityType, new WriteCounts(0, 0, 0, deleted));
    }

    public async Task CoursesAsync(CanvasPage<CanvasCourse> page, bool done, PageEffects fx)
    {
        await UpsertAsync(fx, MirrorTable.Terms, page.Items.Select(MirrorRows.Term));
        await UpsertAsync(fx, MirrorTable.Courses, page.Items.Select(MirrorRows.Course));
        // Planner items are a student's: opened by the first page showing a course the user takes (opening is idempotent).
        if (page.Items.Any(i => !i.Value.CallerTeaches))
            fx.Open(0, "planner_items", CanvasPaths.PlannerItems(stamp.Now.Date.AddDays(-365)));
        foreach (var course in page.Items.Select(i => i.Value))
        {
            // A course not started for this user is only a stub: record it, read nothing else (it would be 401).
            if (course.AccessRestrictedByDate == true || !run.Scope.Includes(course.Id, course.EnrollmentTermId)) continue;
            var id = course.Id;
            var teacher = course.CallerTeaches;
            fx.Open(id, "assignment_groups", CanvasPaths.AssignmentGroups(id));
            fx.Open(id, teacher ? "assignments" : "assignments:own", CanvasPaths.Assignments(id, includeOwnSubmission: !teacher));
            fx.Open(id, "enrollments", CanvasPaths.Enrollments(id));
            fx.Open(id, "groups", CanvasPaths.Groups(id));
            if (teacher) fx.Open(id, "group_categories", CanvasPaths.GroupCategories(id));
            else fx.Open(id, "submissions:own", CanvasPaths.Submissions(id, new SubmissionQuery(AllStudents: false)));
        }

        // Every course the user can read is listed (concluded ones too), so a course missing from it is gone.
        if (done) await DeleteUnseenAsync(fx, MirrorTable.Courses);
    }

    public async Task AssignmentGroupsAsync(CheckpointWork work, CanvasPage<CanvasAssignmentGroup> page, bool done, PageEffects fx)
    {
        await UpsertAsync(fx, MirrorTable.AssignmentGroups, page.Items.Select(i => MirrorRows.AssignmentGroup(i, work.CourseId)));
        if (done) await DeleteUnseenAsync(fx, MirrorTable.AssignmentGroups, "course_canvas_id = @s", work.CourseId);
    }

    public async Task AssignmentsAsync(CheckpointWork work, CanvasPage<CanvasAssignment> page, bool done, PageEffects fx)
    {
        await UpsertAsync(fx, MirrorTable.Assignments, page.Items.Select(i => MirrorRows.Assignment(i, run.CanvasBaseUrl)));
        if (!done) return;

        // Canvas keeps no tombstone for a deleted assignment: missing from a complete listing means deleted,
        // and its submissions go with it.
        await DeleteUnseenAsync(fx, MirrorTable.Assignments, "course_canvas_id = @s", work.CourseId);
        var gone = await ExecuteAsync($"""
            UPDATE submissions SET {MirrorWriter.Tombstone} WHERE connection_id = @c AND course_canvas_id = @s AND deleted_at IS NULL
              AND assignment_canvas_id IN (SELECT canvas_id FROM assignments WHERE connection_id = @c AND course_canvas_id = @s AND deleted_at IS NOT NULL)
            """, work.CourseId);
        fx.Count(MirrorTable.Submissions.EntityType, new WriteCounts(0, 0, 0, gone));
        if (work.Collection == "assignments") await OpenTeacherSubmissionsAsync(work.CourseId, fx);
    }

    /// <summary>
    /// Full sync: every student's submissions in batches of published assignment ids (bookmark paging cannot be split
    /// by page, but it can by assignment), so a large course is several chains, not one. Delta: what was graded or
    /// submitted since the last sync, plus every row of assignments new in this run.
    /// </summary>
    private async Task OpenTeacherSubmissionsAsync(long courseId, PageEffects fx)
    {
        if (run.Type == SyncType.Delta && run.ChangesSince is { } since)
        {
            fx.Open(courseId, "submissions:graded", CanvasPaths.Submissions(courseId, new SubmissionQuery(true, GradedSince: since)));
            fx.Open(courseId, "submissions:submitted", CanvasPaths.Submissions(courseId, new SubmissionQuery(true, SubmittedSince: since)));
            var fresh = await PublishedAssignmentsAsync(courseId, onlyNewSince: run.SeenSince);
            if (fresh.Count > 0) fx.Open(courseId, "submissions:new", CanvasPaths.Submissions(courseId, new SubmissionQuery(true, fresh)));
            return;
        }

        var batches = CanvasPaths.SubmissionBatches(await PublishedAssignmentsAsync(courseId, onlyNewSince: null));
        if (batches.Count == 0)
        {
            fx.Open(courseId, "submissions:all", CanvasPaths.Submissions(courseId, new SubmissionQuery(AllStudents: true)));
            return;
        }

        for (var n = 0; n < batches.Count; n++)
            fx.Open(courseId, $"submissions:{n + 1}", CanvasPaths.Submissions(courseId, new SubmissionQuery(true, batches[n])));
    }

    private async Task<List<long>> PublishedAssignmentsAsync(long courseId, DateTime? onlyNewSince)
    {
        await using var cmd = Sql.Command(connection, transaction,
            "SELECT canvas_id FROM assignments WHERE connection_id = @c AND course_canvas_id = @s AND deleted_at IS NULL AND published = @t"
            + (onlyNewSince is null ? "" : " AND first_seen_at >= @since") + " ORDER BY canvas_id");
        Sql.Add(cmd, "c", run.ConnectionId);
        Sql.Add(cmd, "s", courseId);
        Sql.Add(cmd, "t", true);
        if (onlyNewSince is { } since) Sql.Add(cmd, "since", since);
        var ids = new List<long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt64(0));
        return ids;
    }

    public async Task SubmissionsAsync(CheckpointWork work, CanvasPage<CanvasSubmission> page, bool done, PageEffects fx)
    {
        await UpsertAsync(fx, MirrorTable.Submissions, page.Items.Select(i => MirrorRows.Submission(i, work.CourseId)));
        // Only a complete listing deletes: the last of a full sync's batches (or a student's own list). Since-filtered
        // delta listings are not complete, so they never delete.
        var complete = work.Detail is "own" or "all" || (run.Type == SyncType.Full && int.TryParse(work.Detail, out _));
        if (done && complete && await OtherUnfinishedAsync(work, "submissions:%") == 0)
            await DeleteUnseenAsync(fx, MirrorTable.Submissions, "course_canvas_id = @s", work.CourseId);
    }

    public async Task EnrollmentsAsync(CheckpointWork work, CanvasPage<CanvasEnrollment> page, bool done, PageEffects fx)
    {
        await UpsertAsync(fx, MirrorTable.People, page.Items.Select(MirrorRows.PersonFromEnrollment));
        await UpsertAsync(fx, MirrorTable.Enrollments, page.Items.Select(MirrorRows.Enrollment));
        if (done) await DeleteUnseenAsync(fx, MirrorTable.Enrollments, "course_canvas_id = @s", work.CourseId);
    }

    public async Task GroupCategoriesAsync(CheckpointWork work, CanvasPage<CanvasGroupCategory> page, bool done, PageEffects fx)
    {
        await UpsertAsync(fx, MirrorTable.GroupCategories, page.Items.Select(i => MirrorRows.GroupCategory(i, work.CourseId)));
        if (done) await DeleteUnseenAsync(fx, MirrorTable.GroupCategories, "course_canvas_id = @s", work.CourseId);
    }

    /// <summary>Groups come with their members, so a group whose JSON did not change needs no membership request.</summary>
    public async Task GroupsAsync(CheckpointWork work, CanvasPage<CanvasGroup> page, bool done, PageEffects fx)
    {
        var written = await UpsertAsync(fx, MirrorTable.Groups, page.Items.Select(i => MirrorRows.Group(i, work.CourseId)));
        var changed = written.Written.ToHashSet();
        foreach (var group in page.Items.Select(i => i.Value))
        {
            if (run.Type == SyncType.Full || changed.Contains(group.Id))
                fx.Open(work.CourseId, $"group_memberships:{group.Id}", CanvasPaths.Memberships(group.Id));
        }

        if (!done) return;
        await DeleteUnseenAsync(fx, MirrorTable.Groups, "course_canvas_id = @s", work.CourseId);
        var gone = await ExecuteAsync($"""
            UPDATE group_memberships SET {MirrorWriter.Tombstone} WHERE connection_id = @c AND deleted_at IS NULL
              AND group_canvas_id IN (SELECT canvas_id FROM groups WHERE connection_id = @c AND course_canvas_id = @s AND deleted_at IS NOT NULL)
            """, work.CourseId);
        fx.Count(MirrorTable.Memberships.EntityType, new WriteCounts(0, 0, 0, gone));
    }

    public async Task MembershipsAsync(CheckpointWork work, CanvasPage<CanvasGroupMembership> page, bool done, PageEffects fx)
    {
        await UpsertAsync(fx, MirrorTable.Memberships, page.Items.Select(MirrorRows.Membership));
        if (done) await DeleteUnseenAsync(fx, MirrorTable.Memberships, "group_canvas_id = @s", long.Parse(work.Detail!, System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task PlannerItemsAsync(CanvasPage<CanvasPlannerItem> page, bool done, PageEffects fx)
    {
        await UpsertAsync(fx, MirrorTable.PlannerItems, page.Items.Select(MirrorRows.PlannerItem));
        if (done) await DeleteUnseenAsync(fx, MirrorTable.PlannerItems);
    }

    private async Task<long> OtherUnfinishedAsync(CheckpointWork work, string like)
    {
        await using var cmd = Sql.Command(connection, transaction,
            "SELECT COUNT(*) FROM sync_checkpoints WHERE run_id = @r AND course_canvas_id = @s AND collection LIKE @like AND collection <> @self AND done = @f");
        Sql.Add(cmd, "r", run.RunId);
        Sql.Add(cmd, "s", work.CourseId);
        Sql.Add(cmd, "like", like);
        Sql.Add(cmd, "self", work.Collection);
        Sql.Add(cmd, "f", false);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<long> ExecuteAsync(string sql, long scopeValue)
    {
        await using var cmd = Sql.Command(connection, transaction, sql);
        MirrorWriter.AddStamp(cmd, stamp);
        Sql.Add(cmd, "c", run.ConnectionId);
        Sql.Add(cmd, "s", scopeValue);
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
