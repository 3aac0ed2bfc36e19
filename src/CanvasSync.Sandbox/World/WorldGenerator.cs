namespace CanvasSync.Sandbox.World;

/// <summary>The tokens a generated world hands out, by role.</summary>
public sealed record SandboxTokens(string Student, string Teacher, string Admin, string Expired, string Revoked,
    IReadOnlyList<string> Campus);

/// <summary>
/// Builds a world deterministically from (profile, seed, anchor day). Every course carries the awkward cases of
/// docs/canvas.md §5, placed by assignment index so tests can find them.
/// </summary>
internal sealed partial class WorldGenerator
{
    private readonly SandboxWorld _world;
    private readonly Random _random;
    private readonly SandboxProfile _profile;
    private readonly ProfileShape _shape;
    private readonly DateTime _anchor;
    private long _id = 1000;
    private int _personIndex;

    private WorldGenerator(SandboxProfile profile, int seed, DateTime anchor, int campusStudents, int campusCourses)
    {
        _profile = profile;
        _random = new Random(seed);
        _anchor = anchor;
        _shape = ProfileShape.For(profile, campusStudents, campusCourses);
        _world = new SandboxWorld(anchor);
        CampusStudents = campusStudents;
    }

    private int CampusStudents { get; }

    /// <param name="firstId">Ids start after this; two sandboxes with different values share no id (as two Canvas shards).</param>
    public static (SandboxWorld World, SandboxTokens Tokens) Generate(SandboxProfile profile, int seed, DateTime anchor,
        int campusStudents = 40, int campusCourses = 6, long firstId = 1000)
    {
        var generator = new WorldGenerator(profile, seed, anchor.Date, campusStudents, campusCourses) { _id = firstId };
        return generator.Build();
    }

    private long NextId() => ++_id;

    /// <summary>A time with microseconds, as Canvas keeps internally.</summary>
    private DateTime Precise(DateTime t) => t.AddTicks(_random.Next(1, 9_999_999));

    private (SandboxWorld, SandboxTokens) Build()
    {
        var teacher = AddUser();
        var admin = AddUser(isAdmin: true);
        var terms = AddTerms();
        var teacherToken = AddToken(teacher.Id);
        var adminToken = AddToken(admin.Id);

        // Students: a pool that courses draw from, so students share courses.
        var poolSize = _profile switch
        {
            SandboxProfile.Student => 60,
            SandboxProfile.Campus => CampusStudents,
            _ => _shape.StudentsPerCourse * 3 / 2,
        };
        var pool = Enumerable.Range(0, poolSize).Select(_ => AddUser()).ToList();
        var me = pool[0];
        var studentToken = AddToken(me.Id);
        var expiredToken = AddToken(me.Id, TokenState.Expired);
        var revokedToken = AddToken(me.Id, TokenState.Revoked);
        var campusTokens = _profile == SandboxProfile.Campus ? pool.Select(s => AddToken(s.Id)).ToList() : [];

        for (var c = 0; c < _shape.Courses; c++)
        {
            var kind = CourseKindFor(c);
            var students = StudentsFor(c, pool);
            BuildCourse(c, kind, teacher, students, terms);
        }

        // Teachers also see unpublished courses: one small unpublished course for the teacher-facing profiles.
        if (_profile is SandboxProfile.Instructor or SandboxProfile.Classroom or SandboxProfile.Large)
            BuildCourse(_shape.Courses, CourseKind.Unpublished, teacher, [], terms);

        AddPlannerNotes(me);
        _world.ContinueIdsAfter(_id);
        return (_world, new SandboxTokens(studentToken, teacherToken, adminToken, expiredToken, revokedToken, campusTokens));
    }

    private List<SUser> StudentsFor(int courseIndex, List<SUser> pool)
    {
        if (_profile == SandboxProfile.Campus)
        {
            // Each student takes 3 of the M courses, spread evenly.
            return pool.Where((_, i) => Enumerable.Range(0, 3).Any(k => (i + k) % _shape.Courses == courseIndex)).ToList();
        }

        // The first student of the pool (the "student" token's owner) is in every course.
        var others = pool.Skip(1).OrderBy(u => (u.Id * 2654435761L + courseIndex * 97) % 1_000_003).Take(_shape.StudentsPerCourse - 1);
        return [pool[0], .. others];
    }

    private CourseKind CourseKindFor(int index) => _profile switch
    {
        SandboxProfile.Student when index == _shape.Courses - 2 => CourseKind.Concluded,
        SandboxProfile.Student when index == _shape.Courses - 1 => CourseKind.FutureRestricted,
        SandboxProfile.Large when index == _shape.Courses - 1 => CourseKind.Concluded,
        _ => CourseKind.Current,
    };

    private SUser AddUser(bool isAdmin = false)
    {
        var index = _personIndex++;
        var (name, sortable, shortName) = AwkwardContent.PersonName(index);
        var id = NextId();
        var user = new SUser(id, name, sortable, shortName, Precise(_anchor.AddDays(-400 + index % 50)),
            $"user{id}@example.edu", $"user{id}@example.edu", isAdmin);
        _world.Add(user);
        return user;
    }

    private string AddToken(long userId, TokenState state = TokenState.Active)
    {
        var value = AwkwardContent.Token(_random);
        var expires = state == TokenState.Expired ? _anchor.AddDays(-1) : (DateTime?)null;
        _world.Add(new SToken(value, userId, state, expires));
        return value;
    }

    private Terms AddTerms()
    {
        var defaultTerm = new STerm(NextId(), "Default Term", null, null, _anchor.AddYears(-3), null);
        var past = new STerm(NextId(), $"Spring {_anchor.Year - 1}", _anchor.AddDays(-300), _anchor.AddDays(-150), _anchor.AddYears(-2),
            "SP-PAST");
        var current = new STerm(NextId(), $"Fall {_anchor.Year}", _anchor.AddDays(-60), _anchor.AddDays(60), _anchor.AddYears(-1),
            "FA-NOW");
        var future = new STerm(NextId(), $"Spring {_anchor.Year + 1}", _anchor.AddDays(90), _anchor.AddDays(200), _anchor.AddDays(-30),
            "SP-NEXT");
        foreach (var t in new[] { defaultTerm, past, current, future }) _world.Add(t);
        return new Terms(defaultTerm, past, current, future);
    }

    private void AddPlannerNotes(SUser student)
    {
        var courseId = _world.Courses.Values.First(c => c.WorkflowState == "available").Id;
        for (var i = 0; i < 3; i++)
        {
            _world.Add(new SPlannerNote(NextId(), student.Id, i == 0 ? courseId : null, $"Study session {i + 1} ☕",
                i == 1 ? null : "<b>Bring</b> notes", Precise(_anchor.AddDays(i * 3 - 2)), Precise(_anchor.AddDays(-10))));
        }
    }

    private sealed record Terms(STerm Default, STerm Past, STerm Current, STerm Future);

    private enum CourseKind { Current, Concluded, FutureRestricted, Unpublished }
}
