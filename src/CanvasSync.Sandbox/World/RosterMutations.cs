namespace CanvasSync.Sandbox.World;

/// <summary>
/// What changes to a course's people do to Canvas data (docs/canvas.md §6): a student joins or leaves, a course is
/// concluded, group members move, are invited, accept, become moderators.
/// </summary>
internal static class RosterMutations
{
    /// <summary>
    /// A new student joins the course (active, first section): Canvas creates their unsubmitted rows for every published
    /// assignment assigned to them.
    /// </summary>
    public static SEnrollment? Enroll(SandboxWorld world, long courseId, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Courses.ContainsKey(courseId)) return null;
        var section = world.Sections.Values.Where(s => s.CourseId == courseId).MinBy(s => s.Id);
        if (section is null) return null;
        var at = Mutations.Precise(now);
        var id = world.NextId();
        world.Add(new SUser(id, $"Late Joiner {id}", $"Joiner {id}, Late", $"Late Joiner {id}",
            at, $"user{id}@example.edu", $"user{id}@example.edu"));
        var enrollment = new SEnrollment(world.NextId(), id, courseId, section.Id, "StudentEnrollment", "StudentEnrollment", 3, "active",
            at, at, null, 0);
        world.Add(enrollment);
        foreach (var a in world.AssignmentsInCourse(courseId).Where(a => a is { Published: true, Deleted: false }).ToList())
            Mutations.EnsureSubmission(world, a, id, now);
        GradeCalculator.Update(world, courseId, id);
        return enrollment;
    }

    /// <summary>
    /// An enrollment changes state: "deleted" (removed: neither it nor its submissions are listed any more),
    /// "completed" (dropped or concluded: both stay listed), "inactive", "active".
    /// </summary>
    public static SEnrollment? SetEnrollmentState(SandboxWorld world, long enrollmentId, string state, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Enrollments.TryGetValue(enrollmentId, out var e)) return null;
        var updated = e with { State = state, UpdatedAt = Mutations.Precise(now) };
        world.Add(updated);
        return updated;
    }

    /// <summary>The course is concluded: it becomes completed and so does every enrollment in it (Course#complete).</summary>
    public static SCourse? Conclude(SandboxWorld world, long courseId, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Courses.TryGetValue(courseId, out var c)) return null;
        var at = Mutations.Precise(now);
        var concluded = c with { WorkflowState = "completed", EndAt = c.EndAt is { } end && end < at ? end : at, UpdatedAt = at };
        world.Add(concluded);
        foreach (var e in world.EnrollmentsInCourse(courseId).Where(e => e.State is not ("deleted" or "completed")).ToList())
            world.Add(e with { State = "completed", UpdatedAt = at });
        return concluded;
    }

    /// <summary>
    /// A parent or mentor who observes these students: a user with a token and, in every course where an observee is
    /// an active student, an ObserverEnrollment for that observee (Canvas makes one per observee and course).
    /// </summary>
    public static (SUser User, string Token)? AddObserver(SandboxWorld world, IReadOnlyCollection<long> observeeIds, DateTime now)
    {
        using var _ = world.Write();
        if (observeeIds.Count == 0 || !observeeIds.All(world.Users.ContainsKey)) return null;
        var at = Mutations.Precise(now);
        var id = world.NextId();
        var user = new SUser(id, $"Parent {id}", $"{id}, Parent", $"Parent {id}", at, $"user{id}@example.edu", $"user{id}@example.edu");
        world.Add(user);
        var token = AwkwardContent.Token(new Random((int)(id % int.MaxValue)));
        world.Add(new SToken(token, id, TokenState.Active, null));
        foreach (var observee in observeeIds)
        {
            foreach (var e in world.EnrollmentsOfUser(observee).Where(e => e.IsStudentType && e.State == "active")
                .DistinctBy(e => e.CourseId).ToList())
            {
                world.Add(new SEnrollment(world.NextId(), id, e.CourseId, e.SectionId, "ObserverEnrollment", "ObserverEnrollment", 7, "active", at, at, null, 0)
                {
                    AssociatedUserId = observee,
                });
            }
        }

        return (user, token);
    }

    /// <summary>A teacher sets up a new group set in the course, with one group and one of the course's students in it.</summary>
    public static SGroupCategory? AddGroupSet(SandboxWorld world, long courseId, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Courses.ContainsKey(courseId)) return null;
        var student = world.EnrollmentsInCourse(courseId).Where(e => e.Type == "StudentEnrollment" && e.State == "active")
            .MinBy(e => e.UserId);
        if (student is null) return null;
        var at = Mutations.Precise(now);
        var category = new SGroupCategory(world.NextId(), courseId, "Lab Partners", null, null, null, at);
        world.Add(category);
        var group = new SGroup(world.NextId(), category.Id, courseId, "Lab Partners 1", at, 2, "invitation_only", null, null);
        world.Add(group);
        world.Add(new SMembership(world.NextId(), group.Id, student.UserId, "accepted", false, at));
        return category;
    }

    /// <summary>A member moves to another group of the same category: the old membership is deleted, a new one accepted.</summary>
    public static SMembership? MoveMember(SandboxWorld world, long membershipId, long toGroupId, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Memberships.TryGetValue(membershipId, out var m) || m.State == "deleted" || !world.Groups.ContainsKey(toGroupId))
            return null;
        world.Add(m with { State = "deleted" });
        var moved = new SMembership(world.NextId(), toGroupId, m.UserId, "accepted", false, Mutations.Precise(now));
        world.Add(moved);
        return moved;
    }

    /// <summary>A student is invited to a group: an "invited" membership, which the group's member list does not show.</summary>
    public static SMembership? Invite(SandboxWorld world, long groupId, long userId, DateTime now)
    {
        using var _ = world.Write();
        if (!world.Groups.ContainsKey(groupId) || !world.Users.ContainsKey(userId)) return null;
        var invited = new SMembership(world.NextId(), groupId, userId, "invited", false, Mutations.Precise(now));
        world.Add(invited);
        return invited;
    }

    /// <summary>An invitation is accepted, or a member's moderator flag flips: only the membership's own JSON changes.</summary>
    public static SMembership? UpdateMembership(SandboxWorld world, long membershipId, string? state, bool? moderator)
    {
        using var _ = world.Write();
        if (!world.Memberships.TryGetValue(membershipId, out var m) || m.State == "deleted") return null;
        var updated = m with { State = state ?? m.State, Moderator = moderator ?? m.Moderator };
        world.Add(updated);
        return updated;
    }
}
