namespace CanvasSync.Sandbox.World;

/// <summary>The shapes of data the sandbox can generate (issue #2).</summary>
public enum SandboxProfile
{
    /// <summary>One student, ~8 courses (one concluded, one future and date-restricted), ~40 assignments each.</summary>
    Student,
    /// <summary>A teacher of 5 courses x 200 students x 40 assignments, groups, rosters with grades.</summary>
    Instructor,
    /// <summary>A teacher of 2 courses x 30 students x 40 assignments: the instructor's shape, small enough for one test per
    /// change.</summary>
    Classroom,
    /// <summary>A teacher of 20 courses x 400 students x 60 assignments (about 480k submissions).</summary>
    Large,
    /// <summary>N students with their own tokens sharing M courses, for many-user tests.</summary>
    Campus,
}

/// <summary>Sizes of a profile; the defaults are the ones the issues name.</summary>
internal sealed record ProfileShape(int Courses, int StudentsPerCourse, int AssignmentsPerCourse, int GroupCategoriesPerCourse)
{
    public static ProfileShape For(SandboxProfile profile, int campusStudents, int campusCourses) => profile switch
    {
        SandboxProfile.Student => new(8, 25, 40, 1),
        SandboxProfile.Instructor => new(5, 200, 40, 2),
        SandboxProfile.Classroom => new(2, 30, 40, 2),
        SandboxProfile.Large => new(20, 400, 60, 2),
        SandboxProfile.Campus => new(campusCourses, 0, 30, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(profile)),
    };
}
