using CanvasSync.Canvas;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Courses;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.Groups;
using CanvasSync.Features.Planner;
using CanvasSync.Features.Submissions;

namespace CanvasSync.Tests.Infrastructure;

/// <summary>Each collection read as a sync reads it (its own first page and wire type), for the client's tests.</summary>
internal static class CollectionReads
{
    public static IAsyncEnumerable<CanvasPage<CanvasCourse>> CoursesAsync(this CanvasSession session, CancellationToken ct = default) =>
        CoursesCollection.Instance.PagesAsync(session, CoursesCollection.FirstPage, ct);

    public static IAsyncEnumerable<CanvasPage<CanvasAssignmentGroup>> AssignmentGroupsAsync(this CanvasSession session, long courseId) =>
        AssignmentGroupsCollection.Instance.PagesAsync(session, AssignmentGroupsCollection.FirstPage(courseId));

    public static IAsyncEnumerable<CanvasPage<CanvasAssignment>> AssignmentsAsync(this CanvasSession session, long courseId,
        bool includeOwnSubmission) =>
        AssignmentsCollection.Instance.PagesAsync(session, AssignmentsCollection.FirstPage(courseId, includeOwnSubmission));

    public static IAsyncEnumerable<CanvasPage<CanvasSubmission>> SubmissionsAsync(this CanvasSession session, long courseId,
        SubmissionQuery query) =>
        SubmissionsCollection.Instance.PagesAsync(session, SubmissionsCollection.FirstPage(courseId, query));

    public static IAsyncEnumerable<CanvasPage<CanvasEnrollment>> EnrollmentsAsync(this CanvasSession session, long courseId) =>
        EnrollmentsCollection.Instance.PagesAsync(session, EnrollmentsCollection.FirstPage(courseId));

    public static IAsyncEnumerable<CanvasPage<CanvasGroupCategory>> GroupCategoriesAsync(this CanvasSession session, long courseId) =>
        GroupCategoriesCollection.Instance.PagesAsync(session, GroupCategoriesCollection.FirstPage(courseId));

    /// <summary>The planner as a sync reads it: a year back from <paramref name="now"/> on.</summary>
    public static IAsyncEnumerable<CanvasPage<CanvasPlannerItem>> PlannerItemsAsync(this CanvasSession session, DateTime now) =>
        PlannerItemsCollection.Instance.PagesAsync(session, PlannerItemsCollection.FirstPage(now));
}
