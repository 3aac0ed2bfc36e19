using System.Globalization;
using System.Text.Json;
using CanvasSync.Canvas.Wire;

namespace CanvasSync.Canvas;

/// <summary>Filters for students/submissions. Times are sent as full ISO-8601 (a date alone is a 400 in Canvas).</summary>
public sealed record SubmissionQuery(bool AllStudents, IReadOnlyList<long>? AssignmentIds = null, DateTime? GradedSince = null, DateTime? SubmittedSince = null);

/// <summary>
/// The first-page path of every collection a sync reads (docs/canvas.md §5), always at per_page=100. A checkpoint
/// stores one of these (or a next link Canvas gave) as where its collection goes on.
/// </summary>
public static class CanvasPaths
{
    /// <summary>The enrollment states that show drops and inactivity as well as current students (§5.6).</summary>
    public const string AllEnrollmentStates = "state[]=active&state[]=invited&state[]=creation_pending&state[]=inactive&state[]=completed";

    /// <summary>
    /// Every course the user can read: the default list leaves concluded courses out, so ask for every state
    /// (students never see unpublished ones anyway). Terms and the user's total scores come along.
    /// </summary>
    public const string Courses = "/api/v1/courses?include[]=term&include[]=total_scores&state[]=unpublished&state[]=available&state[]=completed&per_page=100";

    public static string AssignmentGroups(long courseId) => $"/api/v1/courses/{courseId}/assignment_groups?per_page=100";

    /// <summary>Students also get their own submission embedded (include[]=submission).</summary>
    public static string Assignments(long courseId, bool includeOwnSubmission) =>
        $"/api/v1/courses/{courseId}/assignments?per_page=100" + (includeOwnSubmission ? "&include[]=submission" : "");

    /// <summary>Teachers: every student's (student_ids[]=all covers every enrollment state). Students: their own.</summary>
    public static string Submissions(long courseId, SubmissionQuery query)
    {
        var q = new List<string>();
        if (query.AllStudents) q.Add("student_ids[]=all");
        foreach (var id in query.AssignmentIds ?? []) q.Add($"assignment_ids[]={id}");
        if (query.GradedSince is { } g) q.Add("graded_since=" + Iso8601(g));
        if (query.SubmittedSince is { } s) q.Add("submitted_since=" + Iso8601(s));
        q.Add("per_page=100");
        return $"/api/v1/courses/{courseId}/students/submissions?" + string.Join('&', q);
    }

    public static string Enrollments(long courseId) => $"/api/v1/courses/{courseId}/enrollments?{AllEnrollmentStates}&per_page=100";

    /// <summary>Teachers only: students get a 401 (a permission gap, not a dead token).</summary>
    public static string GroupCategories(long courseId) => $"/api/v1/courses/{courseId}/group_categories?per_page=100";

    /// <summary>Groups with their members (include[]=users), so memberships need fetching only for groups that changed.</summary>
    public static string Groups(long courseId) => $"/api/v1/courses/{courseId}/groups?include[]=users&per_page=100";

    /// <summary>Accepted, invited and requested memberships (all three by default).</summary>
    public static string Memberships(long groupId) => $"/api/v1/groups/{groupId}/memberships?per_page=100";

    /// <summary>From <paramref name="from"/> on: with one date Canvas looks 10 years ahead.</summary>
    public static string PlannerItems(DateTime from) =>
        $"/api/v1/planner/items?start_date={from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}&per_page=100";

    /// <summary>Assignments per submissions batch: ~10 keeps each batch many pages long, so rounding wastes little.</summary>
    public const int AssignmentsPerBatch = 10;
    public const int MaxBatchesPerCourse = 4;

    /// <summary>
    /// A teacher's bookmark-paged submissions cannot be split by page, but they can by assignment: up to
    /// <see cref="MaxBatchesPerCourse"/> even batches of published assignment ids, so a large course is several chains.
    /// One batch (or none) means: read the course unsplit.
    /// </summary>
    public static IReadOnlyList<long[]> SubmissionBatches(IReadOnlyList<long> publishedAssignmentIds)
    {
        var batches = Math.Clamp((publishedAssignmentIds.Count + AssignmentsPerBatch - 1) / AssignmentsPerBatch, 1, MaxBatchesPerCourse);
        if (batches == 1) return [];
        var size = (publishedAssignmentIds.Count + batches - 1) / batches;
        return publishedAssignmentIds.Chunk(size).ToList();
    }

    /// <summary>Whole seconds with a Z: Canvas's regex wants a full datetime.</summary>
    public static string Iso8601(DateTime utc) =>
        Uri.EscapeDataString(utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}

/// <summary>Every read a sync needs, typed.</summary>
public sealed partial class CanvasSession
{
    private static readonly CanvasWireContext Wire = CanvasWireContext.Default;

    public Task<CanvasItem<CanvasUser>> GetSelfAsync(CancellationToken ct = default) =>
        GetAsync("users_self", "/api/v1/users/self", Wire.CanvasUser, ct);

    /// <summary>
    /// The token's own record, looked up by its hint (the first 5 characters after the shard prefix), for its
    /// expires_at. Canvas may refuse this to some tokens; callers treat any failure as "expiry unknown".
    /// </summary>
    public Task<CanvasItem<CanvasAccessToken>> GetOwnTokenAsync(string tokenHint, CancellationToken ct = default) =>
        GetAsync("token", "/api/v1/users/self/tokens/" + Uri.EscapeDataString(tokenHint), Wire.CanvasAccessToken, ct);

    public Task<CanvasItem<CanvasUser>> GetProfileAsync(CancellationToken ct = default) =>
        GetAsync("profile", "/api/v1/users/self/profile", Wire.CanvasUser, ct);

    public IAsyncEnumerable<CanvasPage<CanvasCourse>> CoursesAsync(CancellationToken ct = default) =>
        PagesAsync("courses", CanvasPaths.Courses, Wire.CanvasCourse, cancellationToken: ct);

    public IAsyncEnumerable<CanvasPage<CanvasAssignmentGroup>> AssignmentGroupsAsync(long courseId, CancellationToken ct = default) =>
        PagesAsync("assignment_groups", CanvasPaths.AssignmentGroups(courseId), Wire.CanvasAssignmentGroup, cancellationToken: ct);

    public IAsyncEnumerable<CanvasPage<CanvasAssignment>> AssignmentsAsync(long courseId, bool includeOwnSubmission, CancellationToken ct = default) =>
        PagesAsync("assignments", CanvasPaths.Assignments(courseId, includeOwnSubmission), Wire.CanvasAssignment, cancellationToken: ct);

    public IAsyncEnumerable<CanvasPage<CanvasSubmission>> SubmissionsAsync(long courseId, SubmissionQuery query, CancellationToken ct = default) =>
        PagesAsync("submissions", CanvasPaths.Submissions(courseId, query), Wire.CanvasSubmission, cancellationToken: ct);

    public IAsyncEnumerable<CanvasPage<CanvasEnrollment>> EnrollmentsAsync(long courseId, CancellationToken ct = default) =>
        PagesAsync("enrollments", CanvasPaths.Enrollments(courseId), Wire.CanvasEnrollment, cancellationToken: ct);

    public IAsyncEnumerable<CanvasPage<CanvasGroupCategory>> GroupCategoriesAsync(long courseId, CancellationToken ct = default) =>
        PagesAsync("group_categories", CanvasPaths.GroupCategories(courseId), Wire.CanvasGroupCategory, cancellationToken: ct);

    public IAsyncEnumerable<CanvasPage<CanvasGroup>> GroupsAsync(long courseId, CancellationToken ct = default) =>
        PagesAsync("groups", CanvasPaths.Groups(courseId), Wire.CanvasGroup, cancellationToken: ct);

    public IAsyncEnumerable<CanvasPage<CanvasGroupMembership>> MembershipsAsync(long groupId, CancellationToken ct = default) =>
        PagesAsync("group_memberships", CanvasPaths.Memberships(groupId), Wire.CanvasGroupMembership, cancellationToken: ct);

    /// <summary>Planner items have no id of their own: the key is type and plannable id.</summary>
    public IAsyncEnumerable<CanvasPage<CanvasPlannerItem>> PlannerItemsAsync(DateTime from, CancellationToken ct = default) =>
        PagesAsync("planner_items", CanvasPaths.PlannerItems(from), Wire.CanvasPlannerItem, PlannerKey, ct);

    public static string? PlannerKey(JsonElement e) =>
        e.TryGetProperty("plannable_type", out var type) && e.TryGetProperty("plannable_id", out var id) ? $"{type.GetString()}:{id.GetRawText()}" : null;
}
