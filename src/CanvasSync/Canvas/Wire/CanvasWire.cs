using System.Text.Json;
using System.Text.Json.Serialization;

namespace CanvasSync.Canvas.Wire;

// Typed views of what Canvas serves (docs/canvas.md §5): only the fields CanvasSync queries; the raw JSON keeps the
// rest. Every field is nullable because Canvas omits keys (locked descriptions, unposted grades) as well as nulling them.

/// <summary>An access token as GET /users/self/tokens/:token_hint shows it (the token itself is never in it).</summary>
public sealed record CanvasAccessToken(long? Id, DateTime? ExpiresAt, string? WorkflowState);

public sealed record CanvasUser(long Id, string? Name, string? SortableName, string? ShortName, string? PrimaryEmail = null, string? TimeZone = null);

public sealed record CanvasTerm(long Id, string? Name, DateTime? StartAt, DateTime? EndAt);

public sealed record CanvasCourseEnrollment(string? Type, string? EnrollmentState, long? UserId,
    double? ComputedCurrentScore, double? ComputedFinalScore, string? ComputedCurrentGrade, string? ComputedFinalGrade);

public sealed record CanvasCourse(long Id, string? Name, string? CourseCode, string? WorkflowState, long? EnrollmentTermId,
    DateTime? StartAt, DateTime? EndAt, string? TimeZone, bool? AccessRestrictedByDate, CanvasTerm? Term,
    IReadOnlyList<CanvasCourseEnrollment>? Enrollments)
{
    /// <summary>The caller teaches (or TAs) this course: it may read every student's work.</summary>
    public bool CallerTeaches => Enrollments?.Any(e => e.Type is "teacher" or "ta") == true;
}

public sealed record CanvasAssignmentGroup(long Id, string? Name, int? Position, double? GroupWeight);

public sealed record CanvasDiscussionTopicRef(long Id);

public sealed record CanvasAssignment(long Id, long CourseId, long? AssignmentGroupId, string? Name, string? Description,
    DateTime? DueAt, DateTime? UnlockAt, DateTime? LockAt, double? PointsPossible, string? GradingType,
    IReadOnlyList<string>? SubmissionTypes, bool? Published, long? QuizId, CanvasDiscussionTopicRef? DiscussionTopic,
    DateTime? UpdatedAt, CanvasSubmission? Submission);

public sealed record CanvasSubmission(long Id, long AssignmentId, long UserId, string? WorkflowState, double? Score, string? Grade,
    DateTime? SubmittedAt, DateTime? GradedAt, DateTime? PostedAt, bool? Excused, bool? Late, bool? Missing);

public sealed record CanvasGrades(double? CurrentScore, double? FinalScore, string? CurrentGrade, string? FinalGrade);

public sealed record CanvasEnrollment(long Id, long UserId, long CourseId, long? CourseSectionId, string? Type, string? EnrollmentState,
    string? Role, CanvasGrades? Grades, CanvasUser? User, DateTime? UpdatedAt);

public sealed record CanvasGroupCategory(long Id, long? CourseId, string? Name, string? SelfSignup, int? GroupLimit);

public sealed record CanvasGroup(long Id, string? Name, long? GroupCategoryId, long? CourseId, int? MembersCount, IReadOnlyList<CanvasUser>? Users);

public sealed record CanvasGroupMembership(long Id, long GroupId, long UserId, string? WorkflowState, bool? Moderator);

public sealed record CanvasPlannable(long? Id, string? Title, long? AssignmentId, DateTime? DueAt);

public sealed record CanvasPlannerItem(string PlannableType, long PlannableId, long? CourseId, DateTime? PlannableDate,
    CanvasPlannable? Plannable, JsonElement? Submissions);

/// <summary>Source-generated, snake_case, and lenient about ids sent as strings (application/json+canvas-string-ids).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CanvasUser))]
[JsonSerializable(typeof(CanvasAccessToken))]
[JsonSerializable(typeof(CanvasCourse))]
[JsonSerializable(typeof(CanvasAssignmentGroup))]
[JsonSerializable(typeof(CanvasAssignment))]
[JsonSerializable(typeof(CanvasSubmission))]
[JsonSerializable(typeof(CanvasEnrollment))]
[JsonSerializable(typeof(CanvasGroupCategory))]
[JsonSerializable(typeof(CanvasGroup))]
[JsonSerializable(typeof(CanvasGroupMembership))]
[JsonSerializable(typeof(CanvasPlannerItem))]
public sealed partial class CanvasWireContext : JsonSerializerContext;
