using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Api;

/// <summary>Observer: a parent or mentor, who reads what their observees may (docs/canvas.md §5.5, §6).</summary>
internal enum CourseRole { Student, Teacher, Observer }

/// <summary>Who may read what (docs/canvas.md §2 and §5): 404 for what does not exist, 401 without WWW-Authenticate for a gap.</summary>
internal static class Access
{
    public static List<SEnrollment> MyEnrollments(SandboxWorld world, long userId, long courseId) =>
        world.EnrollmentsOfUser(userId).Where(e => e.CourseId == courseId && e.State != "deleted").ToList();

    /// <summary>A teacher of a concluded course (enrollment completed) still reads it, grades included.</summary>
    public static bool IsTeacher(IEnumerable<SEnrollment> mine) =>
        mine.Any(e => e.Type is "TeacherEnrollment" or "TaEnrollment" && e.State is "active" or "completed");

    /// <summary>Every enrollment of a student is inactive by date: the course is a stub and its calls are 401.</summary>
    public static bool IsRestrictedByDate(SCourse c, IReadOnlyList<SEnrollment> mine, DateTime now) =>
        !IsTeacher(mine) && c.RestrictStudentFutureView && c.StartAt > now;

    /// <summary>The caller's role in a course, or the error Canvas answers with.</summary>
    public static CanvasResponse? Course(CanvasRequest r, long? courseId, out SCourse course, out CourseRole role)
    {
        course = null!;
        role = CourseRole.Student;
        if (courseId is null || !r.World.Courses.TryGetValue(courseId.Value, out var c) || c.WorkflowState == "deleted")
            return CanvasErrors.NotFound();
        course = c;
        var mine = MyEnrollments(r.World, r.User.Id, c.Id);
        if (mine.Count == 0) return CanvasErrors.Unauthorized();
        if (IsTeacher(mine))
        {
            role = CourseRole.Teacher;
            return null;
        }

        if (c.WorkflowState == "unpublished" || IsRestrictedByDate(c, mine, r.Now)) return CanvasErrors.Unauthorized();
        if (mine.Any(e => e.IsStudentType && e.State is "active" or "completed" or "inactive")) return null;
        if (!mine.Any(e => e.Type == "ObserverEnrollment" && e.State is "active" or "completed")) return CanvasErrors.Unauthorized();
        role = CourseRole.Observer;
        return null;
    }

    /// <summary>The students an observer observes in a course.</summary>
    public static HashSet<long> Observees(SandboxWorld world, long userId, long courseId) =>
        MyEnrollments(world, userId, courseId).Where(e => e.Type == "ObserverEnrollment" && e.AssociatedUserId is not null)
            .Select(e => e.AssociatedUserId!.Value).ToHashSet();

    /// <summary>
    /// "Users - view list" (read_roster) is not granted to observers by default (canvas-lms permissions.rb), so the
    /// roster and the groups are theirs to read only if a school turned it on; the sandbox keeps the default.
    /// </summary>
    public static bool ReadsRoster(CourseRole role) => role != CourseRole.Observer;

    /// <summary>Assignments the caller can see in a course, in Canvas's default order (group position, position, id).</summary>
    public static List<SAssignment> VisibleAssignments(CanvasRequest r, SCourse course, CourseRole role) =>
        r.World.AssignmentsInCourse(course.Id)
            .Where(a => !a.Deleted && (role == CourseRole.Teacher || (a.Published && VisibleTo(r, course, role, a))))
            .OrderBy(a => r.World.AssignmentGroups[a.AssignmentGroupId].Position).ThenBy(a => a.Position).ThenBy(a => a.Id)
            .ToList();

    /// <summary>A student sees what is assigned to them; an observer what is assigned to any of their observees.</summary>
    private static bool VisibleTo(CanvasRequest r, SCourse course, CourseRole role, SAssignment a) =>
        role == CourseRole.Observer ? Observees(r.World, r.User.Id, course.Id).Any(a.IsVisibleTo) : a.IsVisibleTo(r.User.Id);

    /// <summary>Canvas deletes the grade keys when the student (or their observer) may not see the grade yet.</summary>
    public static bool HideGrade(SAssignment a, SSubmission s, CourseRole role) =>
        role != CourseRole.Teacher && s.PostedAt is null && (a.PostManually || s.WorkflowState == "graded");

    /// <summary>
    /// What an enrollment's grades show the caller (lib/api/v1/user.rb has_grade_permissions?, and Score's :read policy
    /// for GraphQL): all of them to a grader; the four course totals to the student themself unless the course hides
    /// final grades; else the link alone.
    /// </summary>
    public static EnrollmentGradeView GradeView(SEnrollment e, SCourse course, CourseRole role, long caller) =>
        role == CourseRole.Teacher ? EnrollmentGradeView.Grader
        : e.UserId == caller && !course.HideFinalGrades ? EnrollmentGradeView.Own
        : EnrollmentGradeView.LinkOnly;
}
