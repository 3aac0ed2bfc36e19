using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Enrollments;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Courses;

internal sealed record TermView(long Id, string Name, DateTime? StartAt, DateTime? EndAt);

/// <summary>A course as the caller sees it: its term, the caller's roles in it, and (as a student) the caller's grades.</summary>
internal sealed record CourseView(long Id, string? Name, string? CourseCode, string? WorkflowState, DateTime? StartAt, DateTime? EndAt,
    string? TimeZone, bool AccessRestrictedByDate, long? TermId, TermView? Term, IReadOnlyList<string> Roles, GradesView? Grades,
    string HtmlUrl, DateTime ChangedAt);

internal static class CourseViews
{
    public static TermView AsView(this Term t) => new(t.CanvasId, t.Name, t.StartAt, t.EndAt);

    /// <summary>Every course of the connection Canvas lists (concluded ones too), by name (unnamed last); one term's with
    /// <paramref name="termId"/>.</summary>
    public static async Task<List<CourseView>> ListAsync(CanvasSyncDbContext db, OwnConnection me, long? termId, CancellationToken ct)
    {
        var courses = await db.Courses.AsNoTracking()
            .Where(c => c.ConnectionId == me.Id && c.DeletedAt == null && (termId == null || c.TermCanvasId == termId))
            .OrderBy(c => c.Name == null).ThenBy(c => c.Name).ThenBy(c => c.CanvasId)
            .ToListAsync(ct);
        return await BuildAsync(db, me, courses, ct);
    }

    /// <summary>Views of these courses, in their order: their terms and the caller's own enrollments read in one query each.</summary>
    public static async Task<List<CourseView>> BuildAsync(CanvasSyncDbContext db, OwnConnection me, IReadOnlyList<Course> courses,
        CancellationToken ct)
    {
        var termIds = courses.Select(c => c.TermCanvasId).OfType<long>().Distinct().ToList();
        var terms = await db.Terms.AsNoTracking().Where(t => t.ConnectionId == me.Id && termIds.Contains(t.CanvasId))
            .ToDictionaryAsync(t => t.CanvasId, ct);
        var courseIds = courses.Select(c => c.CanvasId).ToList();
        var mine = (await db.Enrollments.AsNoTracking()
            .Where(e => e.ConnectionId == me.Id && e.UserCanvasId == me.CanvasUserId && e.DeletedAt == null
                && courseIds.Contains(e.CourseCanvasId))
            .ToListAsync(ct)).ToLookup(e => e.CourseCanvasId);
        return courses.Select(c =>
        {
            var own = mine[c.CanvasId].ToList();
            var student = own.FirstOrDefault(e => e.Type == "StudentEnrollment");
            return new CourseView(c.CanvasId, c.Name, c.CourseCode, c.WorkflowState, c.StartAt, c.EndAt, c.TimeZone,
                c.AccessRestrictedByDate,
                c.TermCanvasId, c.TermCanvasId is { } t && terms.TryGetValue(t, out var term) ? term.AsView() : null,
                own.Select(e => EnrollmentViews.RoleOf(e.Type)).Distinct().Order(StringComparer.Ordinal).ToList(),
                student?.AsGrades(), $"{me.BaseUrl}/courses/{c.CanvasId}", c.ChangedAt);
        }).ToList();
    }
}
