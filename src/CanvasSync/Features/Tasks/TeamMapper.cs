using CanvasSync.Data;
using CanvasSync.Data.Mirror;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Tasks;

/// <summary>Maps the mirror's groups to teams with their members (names from the roster), for instructor tools.</summary>
internal static class TeamMapper
{
    public static async Task<WriteCounts> RefreshAsync(CanvasSyncDbContext db, long connectionId, DateTime now, CancellationToken ct)
    {
        // Only the columns a team is made of (this runs after every sync; the rows' raw JSON is most of their bytes).
        var groups = await db.Groups.AsNoTracking().Where(g => g.ConnectionId == connectionId && g.DeletedAt == null)
            .Select(g => new { g.CanvasId, g.CourseCanvasId, g.GroupCategoryCanvasId, g.Name }).ToListAsync(ct);
        var categories = await db.GroupCategories.AsNoTracking().Where(c => c.ConnectionId == connectionId)
            .Select(c => new { c.CanvasId, c.Name }).ToDictionaryAsync(c => c.CanvasId, c => c.Name, ct);
        var memberships = (await db.GroupMemberships.AsNoTracking().Where(m => m.ConnectionId == connectionId && m.DeletedAt == null)
            .Select(m => new { m.GroupCanvasId, m.UserCanvasId, m.WorkflowState }).ToListAsync(ct))
            .ToLookup(m => m.GroupCanvasId);
        var names = await db.CanvasPeople.AsNoTracking().Where(p => p.ConnectionId == connectionId)
            .Select(p => new { p.CanvasId, p.Name }).ToDictionaryAsync(p => p.CanvasId, p => p.Name, ct);
        var teams = await db.Teams.Include(t => t.Members).Where(t => t.ConnectionId == connectionId)
            .ToDictionaryAsync(t => t.GroupCanvasId, ct);

        long created = 0, updated = 0, unchanged = 0, deleted = 0;
        foreach (var g in groups)
        {
            var members = memberships[g.CanvasId].OrderBy(m => m.UserCanvasId)
                .Select(m => new TeamMember
                {
                    UserCanvasId = m.UserCanvasId,
                    Name = names.GetValueOrDefault(m.UserCanvasId, ""),
                    MembershipState = m.WorkflowState
                })
                .ToList();
            var category = g.GroupCategoryCanvasId is { } c ? categories.GetValueOrDefault(c) : null;
            if (!teams.Remove(g.CanvasId, out var team))
            {
                db.Teams.Add(new Team
                {
                    ConnectionId = connectionId,
                    GroupCanvasId = g.CanvasId,
                    CourseCanvasId = g.CourseCanvasId ?? 0,
                    Name = g.Name,
                    CategoryName = category,
                    UpdatedAt = now,
                    Members = members,
                });
                created++;
                continue;
            }

            var sameMembers = team.Members.OrderBy(m => m.UserCanvasId).Select(m => (m.UserCanvasId, m.Name, m.MembershipState))
                .SequenceEqual(members.Select(m => (m.UserCanvasId, m.Name, m.MembershipState)));
            if (sameMembers && team.Name == g.Name && team.CategoryName == category && team.DeletedAt is null)
            {
                unchanged++;
                continue;
            }

            (team.Name, team.CategoryName, team.DeletedAt, team.UpdatedAt) = (g.Name, category, null, now);
            if (!sameMembers)
            {
                team.Members.Clear();
                team.Members.AddRange(members);
            }

            updated++;
        }

        foreach (var gone in teams.Values.Where(t => t.DeletedAt is null))
        {
            gone.DeletedAt = now;
            gone.UpdatedAt = now;
            deleted++;
        }

        await db.SaveChangesAsync(ct);
        return new WriteCounts(created, updated, unchanged, deleted);
    }
}
