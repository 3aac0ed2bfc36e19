using CanvasSync.Features.Enrollments;

namespace CanvasSync.Features.SyncRuns.GraphQLDeltas;

internal sealed record SubmissionNode(long Id, long AssignmentId, long UserId, DateTime? GradedAt, DateTime? SubmittedAt);

/// <summary>An enrollment as the query answered it: its grades as values (compared with the mirror's) and as the raw JSON
/// Canvas wrote (a student's own are written into their row with it).</summary>
internal sealed record EnrollmentNode(long Id, DateTime? UpdatedAt, EnrollmentGrades? Grades, GradeTexts? GradesJson = null);

internal sealed record GroupNode(long Id, int Members);

internal sealed record AssignmentGroupNode(long Id, DateTime? UpdatedAt, int Position);

/// <summary>One course as the query answered it, every page of each list; <see cref="Unread"/> names the lists Canvas answered
/// null.</summary>
internal sealed record CourseAnswer(long Id)
{
    public DateTime? UpdatedAt { get; set; }

    public List<SubmissionNode> Submissions { get; } = [];

    public List<EnrollmentNode> Roster { get; } = [];

    public List<GroupNode> Groups { get; } = [];

    /// <summary>The course's assignment groups: a reorder of groups moves only their positions (acts_as_list's update_all),
    /// a save their updatedAt and the course's, a reorder of their assignments their updatedAt alone.</summary>
    public List<AssignmentGroupNode> AssignmentGroups { get; } = [];

    public HashSet<string> Unread { get; } = new(StringComparer.Ordinal);

    /// <summary>More rows changed than <see cref="ChangeQuery.MaxChangedRowPages"/> pages hold (a course copy, a bulk regrade): read the
    /// course as a REST delta does.</summary>
    public bool TooManyChangedRows { get; set; }
}

/// <summary>
/// The whole answer: every current course (allCourses) and every other course asked by id, each with every page of
/// its lists (an other course Canvas would not show is missing), and the caller's own groups.
/// </summary>
internal sealed record ChangeAnswer(List<CourseAnswer> Courses, Dictionary<long, CourseAnswer> Others, List<GroupNode>? OwnGroups)
{
    /// <summary>Current courses of the mirror that allCourses no longer lists (concluded, the caller's enrollment ended),
    /// asked by id.</summary>
    public Dictionary<long, CourseAnswer> Left { get; init; } = [];

    /// <summary>Current courses of the mirror Canvas no longer shows the caller at all (removed from them, or deleted).</summary>
    public HashSet<long> Gone { get; init; } = [];
}
