namespace CanvasSync.Sandbox.World;

/// <summary>
/// Everything the sandbox Canvas knows, with the indexes its endpoints need. Readers take <see cref="Read"/>,
/// collect record references and serialise outside the lock; writers take <see cref="Write"/> and replace records.
/// </summary>
internal sealed class SandboxWorld
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.SupportsRecursion);
    private long _nextId;

    public SandboxWorld(DateTime anchor) => Anchor = anchor;

    /// <summary>The day the generated data is laid out around (due dates, terms).</summary>
    public DateTime Anchor { get; }

    public Dictionary<string, SToken> Tokens { get; } = new(StringComparer.Ordinal);
    public Dictionary<long, SUser> Users { get; } = [];
    public Dictionary<long, STerm> Terms { get; } = [];
    public Dictionary<long, SCourse> Courses { get; } = [];
    public Dictionary<long, SSection> Sections { get; } = [];
    public Dictionary<long, SEnrollment> Enrollments { get; } = [];
    public Dictionary<long, SAssignmentGroup> AssignmentGroups { get; } = [];
    public Dictionary<long, SAssignment> Assignments { get; } = [];
    public Dictionary<long, SSubmission> Submissions { get; } = [];
    public Dictionary<long, SGroupCategory> GroupCategories { get; } = [];
    public Dictionary<long, SGroup> Groups { get; } = [];
    public Dictionary<long, SMembership> Memberships { get; } = [];
    public Dictionary<long, SPlannerNote> PlannerNotes { get; } = [];

    // Secondary indexes (ids only, so replacing a record never invalidates them).
    public Dictionary<long, List<long>> EnrollmentsByCourse { get; } = [];
    public Dictionary<long, List<long>> EnrollmentsByUser { get; } = [];
    public Dictionary<long, List<long>> AssignmentsByCourse { get; } = [];
    public Dictionary<long, List<long>> AssignmentGroupsByCourse { get; } = [];
    /// <summary>Submission ids per course, ascending: the order of Canvas's IdBookmarker.</summary>
    public Dictionary<long, List<long>> SubmissionsByCourse { get; } = [];
    public Dictionary<(long AssignmentId, long UserId), long> SubmissionByKey { get; } = [];
    public Dictionary<long, List<long>> CategoriesByCourse { get; } = [];
    public Dictionary<long, List<long>> GroupsByCategory { get; } = [];
    public Dictionary<long, List<long>> MembershipsByGroup { get; } = [];
    public Dictionary<long, List<long>> PlannerNotesByUser { get; } = [];

    public ReadScope Read() { _lock.EnterReadLock(); return new ReadScope(_lock, write: false); }
    public ReadScope Write() { _lock.EnterWriteLock(); return new ReadScope(_lock, write: true); }

    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>New ids continue after the generated ones.</summary>
    public void ContinueIdsAfter(long id) => _nextId = Math.Max(_nextId, id);

    public readonly struct ReadScope(ReaderWriterLockSlim @lock, bool write) : IDisposable
    {
        public void Dispose()
        {
            if (write) @lock.ExitWriteLock(); else @lock.ExitReadLock();
        }
    }

    // ---- adding (generation and mutations): a known id replaces the record and keeps its index entries ----

    public void Add(SUser u) => Users[u.Id] = u;
    public void Add(SToken t) => Tokens[t.Value] = t;
    public void Add(STerm t) => Terms[t.Id] = t;
    public void Add(SCourse c) => Courses[c.Id] = c;
    public void Add(SSection s) => Sections[s.Id] = s;

    public void Add(SEnrollment e)
    {
        if (Enrollments.TryAdd(e.Id, e))
        {
            Index(EnrollmentsByCourse, e.CourseId, e.Id);
            Index(EnrollmentsByUser, e.UserId, e.Id);
        }
        else Enrollments[e.Id] = e;
    }

    public void Add(SAssignmentGroup g)
    {
        if (AssignmentGroups.TryAdd(g.Id, g)) Index(AssignmentGroupsByCourse, g.CourseId, g.Id);
        else AssignmentGroups[g.Id] = g;
    }

    public void Add(SAssignment a)
    {
        if (Assignments.TryAdd(a.Id, a)) Index(AssignmentsByCourse, a.CourseId, a.Id);
        else Assignments[a.Id] = a;
    }

    public void Add(SSubmission s)
    {
        if (Submissions.TryAdd(s.Id, s))
        {
            // Ids only grow, so appending keeps the per-course list sorted.
            Index(SubmissionsByCourse, s.CourseId, s.Id);
            SubmissionByKey[(s.AssignmentId, s.UserId)] = s.Id;
        }
        else Submissions[s.Id] = s;
    }

    public void Add(SGroupCategory c)
    {
        if (GroupCategories.TryAdd(c.Id, c)) Index(CategoriesByCourse, c.CourseId, c.Id);
        else GroupCategories[c.Id] = c;
    }

    public void Add(SGroup g)
    {
        if (Groups.TryAdd(g.Id, g)) Index(GroupsByCategory, g.CategoryId, g.Id);
        else Groups[g.Id] = g;
    }

    public void Add(SMembership m)
    {
        if (Memberships.TryAdd(m.Id, m)) Index(MembershipsByGroup, m.GroupId, m.Id);
        else Memberships[m.Id] = m;
    }

    public void Add(SPlannerNote n)
    {
        if (PlannerNotes.TryAdd(n.Id, n)) Index(PlannerNotesByUser, n.UserId, n.Id);
        else PlannerNotes[n.Id] = n;
    }

    private static void Index(Dictionary<long, List<long>> index, long key, long id)
    {
        if (!index.TryGetValue(key, out var list)) index[key] = list = [];
        list.Add(id);
    }

    // ---- lookups ----

    public IEnumerable<SEnrollment> EnrollmentsOfUser(long userId) =>
        EnrollmentsByUser.TryGetValue(userId, out var ids) ? ids.Select(id => Enrollments[id]) : [];

    public IEnumerable<SEnrollment> EnrollmentsInCourse(long courseId) =>
        EnrollmentsByCourse.TryGetValue(courseId, out var ids) ? ids.Select(id => Enrollments[id]) : [];

    public IEnumerable<SAssignment> AssignmentsInCourse(long courseId) =>
        AssignmentsByCourse.TryGetValue(courseId, out var ids) ? ids.Select(id => Assignments[id]) : [];

    public IEnumerable<SAssignmentGroup> AssignmentGroupsInCourse(long courseId) =>
        AssignmentGroupsByCourse.TryGetValue(courseId, out var ids) ? ids.Select(id => AssignmentGroups[id]) : [];

    public IEnumerable<SGroupCategory> CategoriesInCourse(long courseId) =>
        CategoriesByCourse.TryGetValue(courseId, out var ids) ? ids.Select(id => GroupCategories[id]) : [];

    public IEnumerable<SGroup> GroupsInCategory(long categoryId) =>
        GroupsByCategory.TryGetValue(categoryId, out var ids) ? ids.Select(id => Groups[id]) : [];

    public IEnumerable<SMembership> MembershipsInGroup(long groupId) =>
        MembershipsByGroup.TryGetValue(groupId, out var ids) ? ids.Select(id => Memberships[id]) : [];

    public IEnumerable<SPlannerNote> PlannerNotesOf(long userId) =>
        PlannerNotesByUser.TryGetValue(userId, out var ids) ? ids.Select(id => PlannerNotes[id]) : [];

    public IReadOnlyList<long> SubmissionIdsInCourse(long courseId) =>
        SubmissionsByCourse.TryGetValue(courseId, out var ids) ? ids : [];

    /// <summary>Submissions of a student in a course, for grade computation.</summary>
    public IEnumerable<SSubmission> SubmissionsOf(long courseId, long userId) =>
        AssignmentsInCourse(courseId)
            .Select(a => SubmissionByKey.TryGetValue((a.Id, userId), out var sid) ? Submissions[sid] : null)
            .OfType<SSubmission>();
}
