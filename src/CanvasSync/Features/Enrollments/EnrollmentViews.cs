using CanvasSync.Data;
using CanvasSync.Features.Connections;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Enrollments;

/// <summary>
/// Grades as Canvas gave them on an enrollment: current_score counts graded work only, final_score counts missing work
/// as 0. Canvas shows a classmate's enrollment without grades, so those are null there.
/// </summary>
internal sealed record GradesView(double? CurrentScore, double? FinalScore, string? CurrentGrade, string? FinalGrade);

internal sealed record EnrollmentView(long Id, long CourseId, long UserId, string? UserName, string? SortableName, long? SectionId,
    string Type,
    string Role, string? CustomRole, string EnrollmentState, GradesView? Grades, DateTime ChangedAt);

internal sealed record PersonView(long Id, string Name, string? SortableName, string? ShortName);

/// <summary>The caller's grades in one course they take.</summary>
internal sealed record CourseGradesView(long CourseId, string? CourseName, string? CourseCode, string EnrollmentState, GradesView Grades);

internal static class EnrollmentViews
{
    /// <summary>"StudentEnrollment" → "student": the words Canvas uses for the caller's own roles on a course.</summary>
    public static string RoleOf(string enrollmentType) => enrollmentType switch
    {
        "StudentEnrollment" or "StudentViewEnrollment" => "student",
        "TeacherEnrollment" => "teacher",
        "TaEnrollment" => "ta",
        "DesignerEnrollment" => "designer",
        "ObserverEnrollment" => "observer",
        _ => enrollmentType.ToLowerInvariant(),
    };

    public static GradesView? AsGrades(this Enrollment e) => e.Type is "StudentEnrollment" or "StudentViewEnrollment"
        ? new GradesView(e.CurrentScore, e.FinalScore, e.CurrentGrade, e.FinalGrade)
        : null;

    public static PersonView AsView(this CanvasPerson p) => new(p.CanvasId, p.Name, p.SortableName, p.ShortName);

    /// <summary>Views of these enrollments with their people's names, in their order.</summary>
    public static async Task<List<EnrollmentView>> BuildAsync(CanvasSyncDbContext db, OwnConnection me,
        IReadOnlyList<Enrollment> enrollments, CancellationToken ct)
    {
        var userIds = enrollments.Select(e => e.UserCanvasId).Distinct().ToList();
        var people = await db.CanvasPeople.AsNoTracking().Where(p => p.ConnectionId == me.Id && userIds.Contains(p.CanvasId))
            .ToDictionaryAsync(p => p.CanvasId, ct);
        return enrollments.Select(e =>
        {
            var person = people.GetValueOrDefault(e.UserCanvasId);
            var role = RoleOf(e.Type);
            return new EnrollmentView(e.CanvasId, e.CourseCanvasId, e.UserCanvasId, person?.Name, person?.SortableName, e.SectionCanvasId,
                e.Type, role,
                e.Role == e.Type ? null : e.Role, e.EnrollmentState, e.AsGrades(), e.ChangedAt);
        }).ToList();
    }

    /// <summary>Everyone enrolled in a course, with names and the grades Canvas showed the caller, by sortable name.</summary>
    public static async Task<List<EnrollmentView>> RosterAsync(CanvasSyncDbContext db, OwnConnection me, long courseId,
        CancellationToken ct)
    {
        var rows = await db.Enrollments.AsNoTracking()
            .Where(e => e.ConnectionId == me.Id && e.CourseCanvasId == courseId && e.DeletedAt == null).ToListAsync(ct);
        return (await BuildAsync(db, me, rows, ct)).OrderBy(v => v.SortableName ?? v.UserName, StringComparer.OrdinalIgnoreCase)
            .ThenBy(v => v.Id).ToList();
    }

    /// <summary>The caller's grades in each course they take as a student, by course name.</summary>
    public static async Task<List<CourseGradesView>> OwnGradesAsync(CanvasSyncDbContext db, OwnConnection me, CancellationToken ct)
    {
        var rows = await (
                from e in db.Enrollments.AsNoTracking()
                join c in db.Courses.AsNoTracking() on new { e.ConnectionId, Id = e.CourseCanvasId } equals new
                {
                    c.ConnectionId,
                    Id = c.CanvasId
                }
                where e.ConnectionId == me.Id && e.UserCanvasId == me.CanvasUserId && e.DeletedAt == null && c.DeletedAt == null
                    && e.Type == "StudentEnrollment"
                orderby c.Name, c.CanvasId
                select new { e, c.Name, c.CourseCode })
            .ToListAsync(ct);
        return rows.Select(r => new CourseGradesView(r.e.CourseCanvasId, r.Name, r.CourseCode, r.e.EnrollmentState, r.e.AsGrades()!))
            .ToList();
    }
}
