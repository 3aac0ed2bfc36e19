using CanvasSync.Data;
using CanvasSync.Features.Connections;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Groups;

internal sealed record GroupCategoryView(long Id, long CourseId, string Name, string? SelfSignup, int? GroupLimit);

internal sealed record GroupMemberView(long UserId, string? Name, string? SortableName, string WorkflowState, bool Moderator);

internal sealed record GroupMembershipView(long Id, long GroupId, long UserId, string WorkflowState, bool Moderator);

/// <summary>A group with its category and its current members (names from the rosters this connection has seen).</summary>
internal sealed record GroupView(long Id, long? CourseId, long? GroupCategoryId, string? CategoryName, string Name, int MembersCount,
    IReadOnlyList<GroupMemberView> Members, DateTime ChangedAt);

internal static class GroupViews
{
    public static GroupCategoryView AsView(this GroupCategory c) => new(c.CanvasId, c.CourseCanvasId, c.Name, c.SelfSignup, c.GroupLimit);

    public static GroupMembershipView AsView(this GroupMembership m) =>
        new(m.CanvasId, m.GroupCanvasId, m.UserCanvasId, m.WorkflowState, m.Moderator);

    /// <summary>A course's groups, by name, with their members.</summary>
    public static async Task<List<GroupView>> OfCourseAsync(CanvasSyncDbContext db, OwnConnection me, long courseId, CancellationToken ct)
    {
        var groups = await db.Groups.AsNoTracking()
            .Where(g => g.ConnectionId == me.Id && g.CourseCanvasId == courseId && g.DeletedAt == null)
            .OrderBy(g => g.Name).ThenBy(g => g.CanvasId).ToListAsync(ct);
        return await BuildAsync(db, me, groups, ct);
    }

    public static async Task<List<GroupView>> BuildAsync(CanvasSyncDbContext db, OwnConnection me, IReadOnlyList<Group> groups,
        CancellationToken ct)
    {
        var groupIds = groups.Select(g => g.CanvasId).ToList();
        var categoryIds = groups.Select(g => g.GroupCategoryCanvasId).OfType<long>().Distinct().ToList();
        var categories = await db.GroupCategories.AsNoTracking().Where(c => c.ConnectionId == me.Id && categoryIds.Contains(c.CanvasId))
            .ToDictionaryAsync(c => c.CanvasId, c => c.Name, ct);
        var members = await (
                from m in db.GroupMemberships.AsNoTracking()
                join p in db.CanvasPeople.AsNoTracking() on new { m.ConnectionId, Id = m.UserCanvasId } equals new
                {
                    p.ConnectionId,
                    Id = p.CanvasId
                } into people
                from p in people.DefaultIfEmpty()
                where m.ConnectionId == me.Id && m.DeletedAt == null && groupIds.Contains(m.GroupCanvasId)
                select new
                {
                    m.GroupCanvasId,
                    Member = new GroupMemberView(m.UserCanvasId, p == null ? null : p.Name, p == null ? null : p.SortableName,
                    m.WorkflowState, m.Moderator)
                })
            .ToListAsync(ct);
        var byGroup = members.ToLookup(m => m.GroupCanvasId, m => m.Member);
        return groups.Select(g => new GroupView(g.CanvasId, g.CourseCanvasId, g.GroupCategoryCanvasId,
            g.GroupCategoryCanvasId is { } c ? categories.GetValueOrDefault(c) : null, g.Name, g.MembersCount,
            byGroup[g.CanvasId].OrderBy(m => m.SortableName ?? m.Name, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.UserId).ToList(),
                g.ChangedAt)).ToList();
    }
}
