namespace CanvasSync.Sandbox.World;

/// <summary>What real activity does to Canvas data: teachers edit, create and delete assignments and grade; students submit.</summary>
internal static class Mutations
{
    public static SAssignment? UpdateAssignment(SandboxWorld world, long id, DateTime now, string? name = null, double? points = null,
        DateTime? dueAt = null, string? description = null)
    {
        using var _ = world.Write();
        if (!world.Assignments.TryGetValue(id, out var a) || a.Deleted) return null;
        var updated = a with
        {
            Name = name ?? a.Name + " (edited)",
            PointsPossible = points ?? a.PointsPossible,
            DueAt = dueAt ?? a.DueAt,
            Description = description ?? a.Description,
            UpdatedAt = Precise(now),
        };
        world.Add(updated);
        if (points is not null) RecomputeCourse(world, a.CourseId);
        return updated;
    }

    public static SAssignment? CreateAssignment(SandboxWorld world, long courseId, DateTime now, string name, double? points, DateTime? dueAt)
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
        foreach (var userId in world.EnrollmentsInCourse(courseId).Where(e => e.IsStudentType && e.State != "deleted").Select(e => e.UserId).Distinct())
        {
            world.Add(new SSubmission(world.NextId(), a.Id, courseId, userId, "unsubmitted", null, null, null, null, null, null, null,
                null, null, false, false, false, 0, null, null, dueAt, null));
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
        RecomputeCourse(world, a.CourseId);
        return true;
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
        var late = a.DueAt is { } due && at > due;
        var submitted = s with
        {
            WorkflowState = s.WorkflowState == "graded" ? "graded" : "submitted",
            SubmittedAt = at,
            Attempt = (s.Attempt ?? 0) + 1,
            SubmissionType = s.SubmissionType ?? (a.SubmissionTypes[0] == "none" ? null : a.SubmissionTypes[0]),
            Missing = false,
            Late = late,
            SecondsLate = late ? (long)(at - a.DueAt!.Value).TotalSeconds : 0,
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

    private static void RecomputeCourse(SandboxWorld world, long courseId)
    {
        foreach (var userId in world.EnrollmentsInCourse(courseId).Where(e => e.IsStudentType).Select(e => e.UserId).Distinct().ToList())
            GradeCalculator.Update(world, courseId, userId);
    }

    /// <summary>Canvas stores microseconds, so a value served back (whole seconds) as a filter matches the row again.</summary>
    private static DateTime Precise(DateTime now) => now.Ticks % TimeSpan.TicksPerSecond == 0 ? now.AddTicks(10) : now;
}
