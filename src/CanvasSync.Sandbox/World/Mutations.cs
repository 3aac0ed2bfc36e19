namespace CanvasSync.Sandbox.World;

/// <summary>What real activity does to Canvas data: teachers edit, create and delete assignments and grade; students submit.</summary>
internal static partial class Mutations
{
    /// <summary>
    /// An edit of the assignment itself. As Canvas does after such an edit: a new due date is cached on every
    /// submission (cached_due_date, with late and missing judged again); new points or grading type re-derive every
    /// grade string from its score (docs/canvas.md §6).
    /// </summary>
    public static SAssignment? UpdateAssignment(SandboxWorld world, long id, DateTime now, string? name = null, double? points = null,
        DateTime? dueAt = null, string? description = null, string? gradingType = null)
    {
        using var _ = world.Write();
        if (!world.Assignments.TryGetValue(id, out var a) || a.Deleted) return null;
        var updated = a with
        {
            Name = name ?? (points is null && dueAt is null && gradingType is null ? a.Name + " (edited)" : a.Name),
            PointsPossible = points ?? a.PointsPossible,
            DueAt = dueAt ?? a.DueAt,
            Description = description ?? a.Description,
            GradingType = gradingType ?? a.GradingType,
            UpdatedAt = Precise(now),
        };
        world.Add(updated);
        TouchCourse(world, a.CourseId, now);
        if (dueAt is not null)
        {
            // An overridden student keeps their own date (the cacher reads the override first).
            foreach (var s in SubmissionsOf(world, a)) CacheDueDate(world, s, updated.DueAtFor(s.UserId), now);
        }

        if (points is not null || gradingType is not null)
        {
            foreach (var s in SubmissionsOf(world, a).Where(s => s.Score is not null))
                world.Add(s with
                {
                    Grade = GradeCalculator.GradeString(updated.GradingType, s.Score!.Value, updated.PointsPossible ?? 0),
                    UpdatedAt = Precise(now)
                });
            RecomputeCourse(world, a.CourseId);
        }

        return updated;
    }

    /// <summary>
    /// A due date moved for some students only (an assignment override): Canvas caches it on their submissions and
    /// leaves the assignment's own due date as it was. What a reader is served changes only by
    /// <see cref="SAssignment.DueAtSeenBy"/>: the students' own date, and a teacher's when it is later.
    /// </summary>
    public static int SetOverrideDueDate(SandboxWorld world, long assignmentId, IReadOnlyCollection<long> studentIds, DateTime dueAt,
        DateTime now)
    {
        using var _ = world.Write();
        if (!world.Assignments.TryGetValue(assignmentId, out var a) || a.Deleted) return 0;
        // AssignmentOverride#touch_assignment: the assignment's updated_at moves (callbacks skipped, so the course's does not).
        var overrides = new Dictionary<long, DateTime?>(a.DueDateOverrides);
        foreach (var student in studentIds) overrides[student] = dueAt;
        world.Add(a = a with { DueDateOverrides = overrides, UpdatedAt = Precise(now) });
        var changed = 0;
        foreach (var s in SubmissionsOf(world, a).Where(s => studentIds.Contains(s.UserId)))
        {
            CacheDueDate(world, s, dueAt, now);
            changed++;
        }

        return changed;
    }

    /// <summary>
    /// Publishing lists the assignment to students and creates the rows of assigned students that have none
    /// (unsubmitted); unpublishing stops its submissions being listed (they are kept, as Canvas keeps them).
    /// </summary>
    public static SAssignment? SetPublished(SandboxWorld world, long id, bool published, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Assignments.TryGetValue(id, out var a) || a.Deleted) return null;
        var updated = a with { Published = published, UpdatedAt = Precise(now) };
        world.Add(updated);
        TouchCourse(world, a.CourseId, now);
        if (published)
        {
            foreach (var userId in world.EnrollmentsInCourse(a.CourseId).Where(e => e.IsStudentType && e.State != "deleted")
                .Select(e => e.UserId).Distinct())
                EnsureSubmission(world, updated, userId, now);
        }

        RecomputeCourse(world, a.CourseId);
        return updated;
    }

    /// <summary>An assigned student's row of a published assignment: created unsubmitted when it does not exist yet.</summary>
    public static void EnsureSubmission(SandboxWorld world, SAssignment a, long userId, DateTime now)
    {
        if (!a.IsVisibleTo(userId) || world.SubmissionByKey.ContainsKey((a.Id, userId))) return;
        var dueAt = a.DueAtFor(userId);
        var missing = dueAt is { } due && due < now && a.SubmissionTypes[0] is not ("none" or "on_paper");
        world.Add(new SSubmission(world.NextId(), a.Id, a.CourseId, userId, "unsubmitted", null, null, null, null, null, null, null,
            null, null, false, false, missing, 0, null, null, dueAt, missing ? "missing" : null)
        { UpdatedAt = Precise(now) });
    }

    public static SAssignment? CreateAssignment(SandboxWorld world, long courseId, DateTime now, string name, double? points,
        DateTime? dueAt)
    {
        using var _ = world.Write();
        if (!world.Courses.ContainsKey(courseId)) return null;
        var existing = world.AssignmentsInCourse(courseId).ToList();
        var group = world.AssignmentGroupsInCourse(courseId).OrderBy(g => g.Position).First();
        var created = Precise(now);
        var a = new SAssignment(world.NextId(), courseId, group.Id, name, "<p>New work</p>", dueAt, null, null, points,
            points is null ? "not_graded" : "points", ["online_upload"], existing.Count + 1, Published: true, Deleted: false,
            created, created, null, null, false, false, null);
        world.Add(a);
        TouchCourse(world, courseId, now);
        foreach (var userId in world.EnrollmentsInCourse(courseId).Where(e => e.IsStudentType && e.State != "deleted").Select(e => e.UserId)
            .Distinct())
        {
            world.Add(new SSubmission(world.NextId(), a.Id, courseId, userId, "unsubmitted", null, null, null, null, null, null, null,
                null, null, false, false, false, 0, null, null, dueAt, null)
            { UpdatedAt = created });
        }

        RecomputeCourse(world, courseId);
        return a;
    }

    /// <summary>Canvas keeps no tombstone: a deleted assignment and its submissions simply stop being listed.</summary>
    public static bool DeleteAssignment(SandboxWorld world, long id, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Assignments.TryGetValue(id, out var a) || a.Deleted) return false;
        world.Add(a with { Deleted = true, UpdatedAt = Precise(now) });
        TouchCourse(world, a.CourseId, now);
        RecomputeCourse(world, a.CourseId);
        return true;
    }

    /// <summary>
    /// A teacher posts an assignment's grades (canvas-lms AbstractAssignment#post_submissions, docs/canvas.md §6): every
    /// active row gets posted_at and updated_at now in one UPDATE, students' scores are recomputed, and the assignment
    /// is no longer muted (a save, so the course's updated_at moves too).
    /// </summary>
    public static int PostSubmissions(SandboxWorld world, long assignmentId, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Assignments.TryGetValue(assignmentId, out var a) || a.Deleted) return 0;
        var at = Precise(now);
        var rows = SubmissionsOf(world, a);
        foreach (var s in rows) world.Add(s with { PostedAt = at, UpdatedAt = at });
        RecomputeCourse(world, a.CourseId);
        if (a.Muted)
        {
            world.Add(a with { Muted = false, UpdatedAt = at });
            TouchCourse(world, a.CourseId, now);
        }

        return rows.Count();
    }

    public static SSubmission? Grade(SandboxWorld world, long submissionId, double score, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Submissions.TryGetValue(submissionId, out var s)) return null;
        var a = world.Assignments[s.AssignmentId];
        var gradedAt = Precise(now);
        var graded = s with
        {
            WorkflowState = "graded",
            Score = score,
            Grade = GradeCalculator.GradeString(a.GradingType, score, a.PointsPossible ?? 0),
            GradedAt = gradedAt,
            GraderId = a.QuizId is { } q ? -q : 1001,
            PostedAt = a.PostManually ? s.PostedAt : gradedAt,
            Excused = false,
            Missing = false,
            UpdatedAt = gradedAt,
        };
        world.Add(graded);
        GradeCalculator.Update(world, s.CourseId, s.UserId);
        return graded;
    }

    public static SSubmission? Submit(SandboxWorld world, long submissionId, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Submissions.TryGetValue(submissionId, out var s)) return null;
        var a = world.Assignments[s.AssignmentId];
        var at = Precise(now);
        // Late is judged by the row's cached due date, which is the student's override when they have one.
        var late = s.CachedDueDate is { } due && at > due;
        var submitted = s with
        {
            WorkflowState = s.WorkflowState == "graded" ? "graded" : "submitted",
            SubmittedAt = at,
            Attempt = (s.Attempt ?? 0) + 1,
            SubmissionType = s.SubmissionType ?? (a.SubmissionTypes[0] == "none" ? null : a.SubmissionTypes[0]),
            Missing = false,
            Late = late,
            SecondsLate = late ? (long)(at - s.CachedDueDate!.Value).TotalSeconds : 0,
            UpdatedAt = at,
        };
        world.Add(submitted);
        return submitted;
    }

    /// <summary>When an active token will expire (null: never), as Canvas reports it on the token's record.</summary>
    public static bool SetTokenExpiry(SandboxWorld world, string token, DateTime? expiresAt)
    {
        using var _ = world.Write();
        if (!world.Tokens.TryGetValue(token, out var t)) return false;
        world.Add(t with { ExpiresAt = expiresAt?.ToUniversalTime() });
        return true;
    }

    public static bool SetTokenState(SandboxWorld world, string token, TokenState state, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Tokens.TryGetValue(token, out var t)) return false;
        world.Add(t with { State = state, ExpiresAt = state == TokenState.Expired ? now : t.ExpiresAt });
        return true;
    }

    private static IEnumerable<SSubmission> SubmissionsOf(SandboxWorld world, SAssignment a) =>
        world.SubmissionIdsInCourse(a.CourseId).Select(sid => world.Submissions[sid]).Where(s => s.AssignmentId == a.Id).ToList();

    /// <summary>Canvas's due-date cacher: the row's due date, and whether it is late or missing by it.</summary>
    private static void CacheDueDate(SandboxWorld world, SSubmission s, DateTime? due, DateTime now)
    {
        var late = s.SubmittedAt is { } at && due is { } d && at > d;
        var missing = s.SubmittedAt is null && s.WorkflowState == "unsubmitted" && due is { } d2 && d2 < now;
        world.Add(s with
        {
            CachedDueDate = due,
            Late = late,
            SecondsLate = late ? (long)(s.SubmittedAt!.Value - due!.Value).TotalSeconds : 0,
            Missing = missing && !s.Excused,
            UpdatedAt = Precise(now),
        });
    }

    /// <summary>Assignment after_save :touch_context: the course's updated_at moves with every assignment save.</summary>
    internal static void TouchCourse(SandboxWorld world, long courseId, DateTime now) =>
        world.Add(world.Courses[courseId] with { UpdatedAt = Precise(now) });

    internal static void RecomputeCourse(SandboxWorld world, long courseId)
    {
        foreach (var userId in world.EnrollmentsInCourse(courseId).Where(e => e.IsStudentType).Select(e => e.UserId).Distinct().ToList())
            GradeCalculator.Update(world, courseId, userId);
    }

    /// <summary>Canvas stores microseconds, so a value served back (whole seconds) as a filter matches the row again.</summary>
    internal static DateTime Precise(DateTime now) => now.Ticks % TimeSpan.TicksPerSecond == 0 ? now.AddTicks(10) : now;
}
