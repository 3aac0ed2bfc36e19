namespace CanvasSync.Sandbox.World;

/// <summary>
/// What a teacher does to a course's assignment groups, with what each moves (docs/canvas.md §6): a save moves
/// updated_at (the group's and the course's), a reorder of groups only positions, a reorder of assignments positions
/// and the groups' updated_at (not the course's).
/// </summary>
internal static partial class Mutations
{
    /// <summary>
    /// An assignment group saved with a new weight: its updated_at moves, after_save :touch_context moves the course's,
    /// and update_student_grades recomputes the scores (assignment_group.rb).
    /// </summary>
    public static SAssignmentGroup? SetGroupWeight(SandboxWorld world, long id, double weight, DateTime now)
    {
        using var _ = world.Write();
        if (!world.AssignmentGroups.TryGetValue(id, out var g)) return null;
        world.Add(g = g with { GroupWeight = weight, UpdatedAt = Precise(now) });
        TouchCourse(world, g.CourseId, now);
        RecomputeCourse(world, g.CourseId);
        return g;
    }

    /// <summary>
    /// The assignment groups reordered (assignment_groups#reorder): acts_as_list's update_order is one update_all of
    /// positions, so neither a group's updated_at nor the course's moves. The named ids first, the rest after them.
    /// </summary>
    public static bool ReorderGroups(SandboxWorld world, long courseId, long[] order)
    {
        using var _ = world.Write();
        var groups = world.AssignmentGroupsInCourse(courseId).ToList();
        if (groups.Count == 0 || order.Any(id => groups.All(g => g.Id != id))) return false;
        var ordered = order.Select(id => groups.Single(g => g.Id == id))
            .Concat(groups.Where(g => !order.Contains(g.Id)).OrderBy(g => g.Position)).ToList();
        for (var i = 0; i < ordered.Count; i++) world.Add(ordered[i] with { Position = i + 1 });
        return true;
    }

    /// <summary>
    /// Assignments reordered within a group, or dragged into it from another (assignment_groups#reorder_assignments):
    /// a moved assignment gets the group and a new updated_at (update_all, so the course's does not move); the
    /// positions are acts_as_list's update_all; the group and the groups the moved ones left are touched
    /// (touch_all: their updated_at moves, no callback touches the course); the scores are recomputed. The named ids
    /// first, the group's others after them.
    /// </summary>
    public static bool ReorderAssignments(SandboxWorld world, long groupId, long[] order, DateTime now)
    {
        using var _ = world.Write();
        if (!world.AssignmentGroups.TryGetValue(groupId, out var group)) return false;
        var active = world.AssignmentsInCourse(group.CourseId).Where(a => !a.Deleted).ToDictionary(a => a.Id);
        if (order.Any(id => !active.ContainsKey(id))) return false;
        var at = Precise(now);
        var touched = new HashSet<long> { groupId };
        foreach (var id in order.Where(id => active[id].AssignmentGroupId != groupId))
        {
            touched.Add(active[id].AssignmentGroupId);
            world.Add(active[id] = active[id] with { AssignmentGroupId = groupId, UpdatedAt = at });
        }

        var ordered = order.Select(id => active[id])
            .Concat(active.Values.Where(a => a.AssignmentGroupId == groupId && !order.Contains(a.Id)).OrderBy(a => a.Position))
            .ToList();
        for (var i = 0; i < ordered.Count; i++) world.Add(ordered[i] with { Position = i + 1 });
        foreach (var id in touched) world.Add(world.AssignmentGroups[id] with { UpdatedAt = at });
        RecomputeCourse(world, group.CourseId);
        return true;
    }
}
