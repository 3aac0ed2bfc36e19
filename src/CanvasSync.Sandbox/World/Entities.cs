namespace CanvasSync.Sandbox.World;

// The sandbox's records. They are immutable: a mutation replaces the record under the world's write lock,
// so a reader that took a reference under the read lock can serialise it afterwards without tearing.
// Times are UTC with sub-second precision, as Canvas keeps them internally (it serves whole seconds).

internal enum TokenState { Active, Expired, Revoked, Deleted }

internal sealed record SToken(string Value, long UserId, TokenState State, DateTime? ExpiresAt);

internal sealed record SUser(long Id, string Name, string SortableName, string ShortName, DateTime CreatedAt,
    string LoginId, string Email, bool IsAdmin = false);

internal sealed record STerm(long Id, string Name, DateTime? StartAt, DateTime? EndAt, DateTime CreatedAt, string? SisTermId);

internal sealed record SCourse(long Id, string Name, string CourseCode, string WorkflowState, long TermId,
    DateTime? StartAt, DateTime? EndAt, DateTime CreatedAt, string Uuid, string TimeZone,
    bool HideFinalGrades, bool RestrictStudentFutureView, bool HasGradingScheme, string? SisCourseId)
{
    /// <summary>
    /// Moves on every save of the course and of any of its assignments (Assignment after_save :touch_context), not on
    /// an override's (AssignmentOverride touches the assignment bypassing callbacks). GraphQL serves it; REST does not.
    /// </summary>
    public DateTime UpdatedAt { get; init; } = CreatedAt;
}

internal sealed record SSection(long Id, long CourseId, string Name);

internal sealed record SEnrollment(long Id, long UserId, long CourseId, long SectionId, string Type, string Role, long RoleId,
    string State, DateTime CreatedAt, DateTime UpdatedAt, DateTime? LastActivityAt, int TotalActivityTime)
{
    public EnrollmentGrades Grades { get; init; } = EnrollmentGrades.None;
    /// <summary>An observer's enrollment: the student it observes (Canvas makes one per observee and course).</summary>
    public long? AssociatedUserId { get; init; }
    public bool IsStudentType => Type is "StudentEnrollment" or "StudentViewEnrollment";
}

/// <summary>Posted grades (what a student sees) and unposted ones (graders only).</summary>
internal sealed record EnrollmentGrades(double? CurrentScore, double? FinalScore, string? CurrentGrade, string? FinalGrade,
    double? UnpostedCurrentScore, double? UnpostedFinalScore, string? UnpostedCurrentGrade, string? UnpostedFinalGrade)
{
    public static readonly EnrollmentGrades None = new(null, null, null, null, null, null, null, null);
}

internal sealed record SAssignmentGroup(long Id, long CourseId, string Name, int Position, double GroupWeight)
{
    /// <summary>
    /// Moved by a save (a rename, a weight) and by a reorder of its assignments (touch_all); not by a reorder of the
    /// groups, which is acts_as_list's update_all of positions.
    /// </summary>
    public DateTime UpdatedAt { get; init; }
}

internal sealed record SAssignment(long Id, long CourseId, long AssignmentGroupId, string Name, string? Description,
    DateTime? DueAt, DateTime? UnlockAt, DateTime? LockAt, double? PointsPossible, string GradingType,
    string[] SubmissionTypes, int Position, bool Published, bool Deleted, DateTime CreatedAt, DateTime UpdatedAt,
    long? QuizId, long? DiscussionTopicId, bool IsNewQuiz, bool PostManually, long? GroupCategoryId)
{
    /// <summary>Differentiated assignment: only these students see it (null = everyone).</summary>
    public IReadOnlySet<long>? OnlyVisibleTo { get; init; }

    /// <summary>
    /// Students with a due date of their own (an ADHOC override: one per student and assignment in Canvas). Canvas caches
    /// it on their submissions and keeps it when the assignment's own due date moves.
    /// </summary>
    public IReadOnlyDictionary<long, DateTime?> DueDateOverrides { get; init; } = NoOverrides;

    /// <summary>
    /// Canvas's muted: some submissions are unposted. It starts as the post policy says and follows posting
    /// (AbstractAssignment#update_muted_status!).
    /// </summary>
    public bool Muted { get; init; } = PostManually;

    public bool HasOverrides => OnlyVisibleTo is not null || DueDateOverrides.Count > 0;
    public bool IsVisibleTo(long studentId) => OnlyVisibleTo is null || OnlyVisibleTo.Contains(studentId);

    /// <summary>The due date that applies to one student: their override's, else the assignment's.</summary>
    public DateTime? DueAtFor(long studentId) => DueDateOverrides.TryGetValue(studentId, out var due) ? due : DueAt;

    /// <summary>
    /// The due_at a reader is served (canvas-lms AssignmentOverrideApplicator, docs/canvas.md §5.3). A student gets their
    /// own override's date; an observer the latest of their observees' overrides (none if any is undated), the
    /// assignment's own when none has one; a teacher the later of the assignment's date and its latest override's.
    /// </summary>
    public DateTime? DueAtSeenBy(IReadOnlyCollection<long> students, bool asTeacher)
    {
        var applied = asTeacher ? DueDateOverrides.Values.ToList()
            : students.Where(DueDateOverrides.ContainsKey).Select(s => DueDateOverrides[s]).ToList();
        if (applied.Count == 0) return DueAt;
        var overridden = applied.Any(d => d is null) ? null : applied.Max();
        if (!asTeacher) return overridden;
        return DueAt is null || overridden is null ? null : DueAt > overridden ? DueAt : overridden;
    }

    private static readonly IReadOnlyDictionary<long, DateTime?> NoOverrides = new Dictionary<long, DateTime?>();
}

internal sealed record SSubmission(long Id, long AssignmentId, long CourseId, long UserId, string WorkflowState,
    double? Score, string? Grade, DateTime? SubmittedAt, DateTime? GradedAt, long? GraderId, int? Attempt,
    string? SubmissionType, string? Body, string? Url, bool Excused, bool Late, bool Missing, long SecondsLate,
    double? PointsDeducted, DateTime? PostedAt, DateTime? CachedDueDate, string? LatePolicyStatus)
{
    /// <summary>
    /// Moves on every save of the row, the due-date cacher's recompute included (SubmissionLifecycleManager sets
    /// updated_at = now()). GraphQL filters on it (updatedSince); REST serves no such field.
    /// </summary>
    public DateTime UpdatedAt { get; init; }
}

internal sealed record SGroupCategory(long Id, long CourseId, string Name, string? SelfSignup, int? GroupLimit,
    string? AutoLeader, DateTime CreatedAt);

internal sealed record SGroup(long Id, long CategoryId, long CourseId, string Name, DateTime CreatedAt, int? MaxMembership,
    string JoinLevel, string? Description, long? LeaderId);

internal sealed record SMembership(long Id, long GroupId, long UserId, string State, bool Moderator, DateTime CreatedAt);

internal sealed record SPlannerNote(long Id, long UserId, long? CourseId, string Title, string? Details, DateTime TodoDate,
    DateTime CreatedAt);
