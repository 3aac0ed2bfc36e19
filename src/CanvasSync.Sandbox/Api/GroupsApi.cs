using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Api;

/// <summary>Group categories, groups and memberships (docs/canvas.md §5.7), all numbered.</summary>
internal static class GroupsApi
{
    public static void Map(SandboxRoutes routes)
    {
        routes.Get("/api/v1/courses/{courseId}/group_categories", Categories);
        routes.Get("/api/v1/group_categories/{categoryId}/groups", GroupsOfCategory);
        routes.Get("/api/v1/courses/{courseId}/groups", GroupsOfCourse);
        routes.Get("/api/v1/groups/{groupId}/users", GroupUsers);
        routes.Get("/api/v1/groups/{groupId}/memberships", GroupMemberships);
    }

    /// <summary>Needs manage_groups: students get 401.</summary>
    private static CanvasResponse Categories(CanvasRequest r)
    {
        using (r.World.Read())
        {
            if (Access.Course(r, r.CourseIdFromRoute(), out var course, out var role) is { } error) return error;
            if (role != CourseRole.Teacher) return CanvasErrors.Unauthorized();
            return Paginator.Numbered(r, r.World.CategoriesInCourse(course.Id).OrderBy(c => c.Id).ToList(), CanvasJson.GroupCategory);
        }
    }

    private static CanvasResponse GroupsOfCategory(CanvasRequest r)
    {
        using (r.World.Read())
        {
            if (r.IdFromRoute("categoryId") is not { } id || !r.World.GroupCategories.TryGetValue(id, out var category))
                return CanvasErrors.NotFound();
            if (!Access.IsTeacher(Access.MyEnrollments(r.World, r.User.Id, category.CourseId))) return CanvasErrors.Unauthorized();
            return GroupPage(r, r.World.GroupsInCategory(id).ToList());
        }
    }

    /// <summary>Teachers see every group of the course; students their own.</summary>
    private static CanvasResponse GroupsOfCourse(CanvasRequest r)
    {
        using (r.World.Read())
        {
            if (Access.Course(r, r.CourseIdFromRoute(), out var course, out var role) is { } error) return error;
            if (!Access.ReadsRoster(role)) return CanvasErrors.Unauthorized();
            var groups = r.World.CategoriesInCourse(course.Id).SelectMany(c => r.World.GroupsInCategory(c.Id));
            if (role == CourseRole.Student || r.Query.Get("only_own_groups") is "1" or "true")
                groups = groups.Where(g => r.World.MembershipsInGroup(g.Id).Any(m => m.UserId == r.User.Id && m.State == "accepted"));
            return GroupPage(r, groups.ToList());
        }
    }

    private static CanvasResponse GroupPage(CanvasRequest r, List<SGroup> groups)
    {
        var withUsers = r.Query.Includes("users");
        return Paginator.Numbered(r, groups.OrderBy(g => g.Id).ToList(), (w, g) =>
        {
            var members = AcceptedMembers(r.World, g.Id);
            var leader = g.LeaderId is { } l ? r.World.Users[l] : null;
            CanvasJson.Group(w, g, members.Count, leader, withUsers ? members : null, r.BaseUrl);
        });
    }

    private static List<SUser> AcceptedMembers(SandboxWorld world, long groupId) =>
        world.MembershipsInGroup(groupId).Where(m => m.State == "accepted").Select(m => world.Users[m.UserId]).ToList();

    private static CanvasResponse? GroupAccess(CanvasRequest r, out SGroup group)
    {
        group = null!;
        if (r.IdFromRoute("groupId") is not { } id || !r.World.Groups.TryGetValue(id, out var g)) return CanvasErrors.NotFound();
        group = g;
        var teacher = Access.IsTeacher(Access.MyEnrollments(r.World, r.User.Id, g.CourseId));
        var member = r.World.MembershipsInGroup(g.Id).Any(m => m.UserId == r.User.Id);
        return teacher || member ? null : CanvasErrors.Unauthorized();
    }

    private static CanvasResponse GroupUsers(CanvasRequest r)
    {
        using (r.World.Read())
        {
            if (GroupAccess(r, out var group) is { } error) return error;
            var users = AcceptedMembers(r.World, group.Id).OrderBy(u => u.SortableName, StringComparer.Ordinal).ThenBy(u => u.Id).ToList();
            return Paginator.Numbered(r, users, CanvasJson.UserDisplay);
        }
    }

    private static CanvasResponse GroupMemberships(CanvasRequest r)
    {
        using (r.World.Read())
        {
            if (GroupAccess(r, out var group) is { } error) return error;
            var states = r.Query.GetArray("filter_states");
            var list = r.World.MembershipsInGroup(group.Id)
                // filter_states defaults to all three live states; a membership that was left (deleted) is never listed.
                .Where(m => m.State != "deleted" && (states.Count == 0 || states.Contains(m.State)))
                .OrderBy(m => m.Id).ToList();
            return Paginator.Numbered(r, list, CanvasJson.Membership);
        }
    }
}
