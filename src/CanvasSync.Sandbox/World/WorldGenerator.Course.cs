namespace CanvasSync.Sandbox.World;

internal sealed partial class WorldGenerator
{
    // Where the awkward assignments sit in every course (by index), so tests can find each case.
    internal const int DuplicateNameIndex = 1;      // same name as index 0
    internal const int LongNameIndex = 2;           // a name over 200 characters
    internal const int QuizIndexMod = 3;            // i % 10 == 3: classic quiz (online_quiz, negative grader ids)
    internal const int UnpublishedIndex = 5;        // teachers only
    internal const int DiscussionIndexMod = 6;      // i % 10 == 6: graded discussion
    internal const int DeletedIndex = 7;            // gone for everyone
    internal const int NewQuizIndexMod = 8;         // i % 10 == 8: New Quizzes (basic_lti_launch)
    internal const int NotGradedIndexMod = 9;       // i % 10 == 9: not_graded, points null
    internal const int DifferentiatedIndex = 11;    // only_visible_to_overrides, half the students
    internal const int LockedIndex = 12;            // unlock_at in the future: description removed for students
    internal const int PostManuallyIndex = 13;      // grades not posted: score keys removed for students
    internal const int HugeDescriptionIndex = 14;   // ~200 KB of HTML
    internal const int ScriptDescriptionIndex = 15; // a <script> in the description
    internal const int ZeroPointsIndex = 16;        // points_possible 0.0

    private void BuildCourse(int index, CourseKind kind, SUser teacher, List<SUser> students, Terms terms)
    {
        var term = kind switch
        {
            CourseKind.Concluded => terms.Past,
            CourseKind.FutureRestricted => terms.Future,
            _ => index % 4 == 3 ? terms.Default : terms.Current,
        };
        // One course per world comes from another shard and has a global id (~1.7e14): it fits a long, not an int.
        var courseId = index == 1 && _profile != SandboxProfile.Large ? 170_000_000_000_000 + NextId() : NextId();
        var subjects = new[] { "Biology", "Calculus", "World History", "Chemistry", "Literature", "Physics", "Economics", "Art" };
        var name = $"{subjects[index % subjects.Length]} {101 + index}" + (index == 2 ? " — Sección Ñ 🌍" : "");
        var course = new SCourse(courseId, name, $"{subjects[index % subjects.Length][..3].ToUpperInvariant()}{101 + index}",
            kind switch { CourseKind.Concluded => "completed", CourseKind.Unpublished => "unpublished", _ => "available" },
            term.Id, term.StartAt, term.EndAt, Precise(_anchor.AddDays(-200)), $"{_random.NextInt64():x16}{index:x4}",
            "America/Denver", HideFinalGrades: index == 3, RestrictStudentFutureView: kind == CourseKind.FutureRestricted,
            HasGradingScheme: index % 2 == 0, SisCourseId: $"SIS-{courseId}");
        _world.Add(course);

        var sectionA = new SSection(NextId(), courseId, $"{course.CourseCode} Section A");
        var sectionB = new SSection(NextId(), courseId, $"{course.CourseCode} Section B");
        _world.Add(sectionA);
        _world.Add(sectionB);

        AddEnrollment(teacher.Id, course, sectionA, "TeacherEnrollment", "active");
        var studentEnrollments = new List<SUser>();
        for (var i = 0; i < students.Count; i++)
        {
            var section = i % 2 == 0 ? sectionA : sectionB;
            AddEnrollment(students[i].Id, course, section, "StudentEnrollment", "active");
            studentEnrollments.Add(students[i]);
            // One student is enrolled in both sections: two enrollments, one user.
            if (i == 3) AddEnrollment(students[i].Id, course, sectionB == section ? sectionA : sectionB, "StudentEnrollment", "active");
        }

        if (kind != CourseKind.Unpublished && _profile != SandboxProfile.Campus)
        {
            // Students in every state Canvas has: dropped, inactive, invited, and the teacher's Test Student.
            foreach (var (state, type) in new[] { ("completed", "StudentEnrollment"), ("inactive", "StudentEnrollment"),
                         ("invited", "StudentEnrollment"), ("active", "StudentViewEnrollment") })
            {
                var user = AddUser();
                if (type == "StudentViewEnrollment")
                    _world.Add(user = user with { Name = "Test Student", SortableName = "Student, Test", ShortName = "Test Student" });
                AddEnrollment(user.Id, course, sectionA, type, state);
                studentEnrollments.Add(user);
            }
        }

        var assignmentCount = kind == CourseKind.Unpublished ? 4 : _shape.AssignmentsPerCourse;
        var groups = AddAssignmentGroups(courseId);
        var categories = AddGroupCategories(course, students);
        for (var i = 0; i < assignmentCount; i++)
            AddAssignment(course, i, groups, categories, studentEnrollments);

        foreach (var s in studentEnrollments.DistinctBy(u => u.Id))
            GradeCalculator.Update(_world, courseId, s.Id);
    }

    private void AddEnrollment(long userId, SCourse course, SSection section, string type, string state)
    {
        var (role, roleId) = type switch
        {
            "TeacherEnrollment" => ("TeacherEnrollment", 4L),
            "StudentViewEnrollment" => ("StudentEnrollment", 3L),
            _ => ("StudentEnrollment", 3L),
        };
        var created = Precise(_anchor.AddDays(-90));
        _world.Add(new SEnrollment(NextId(), userId, course.Id, section.Id, type, role, roleId, state, created, created,
            state == "active" ? Precise(_anchor.AddHours(-_random.Next(1, 300))) : null, _random.Next(0, 200_000)));
    }

    private List<SAssignmentGroup> AddAssignmentGroups(long courseId)
    {
        var names = new[] { "Assignments", "Quizzes", "Discussions", "Imported Assignments" };
        var weights = new[] { 50.0, 30.0, 20.0, 0.0 };
        var list = names.Select((n, i) => new SAssignmentGroup(NextId(), courseId, n, i + 1, weights[i])
        {
            // Mutations.Precise draws no random number, so the rest of the world stays as it was generated before.
            UpdatedAt = Mutations.Precise(_anchor.AddDays(-60)),
        }).ToList();
        list.ForEach(_world.Add);
        return list; // "Imported Assignments" stays empty, as it often does in Canvas.
    }

    private void AddAssignment(SCourse course, int i, List<SAssignmentGroup> groups, List<SGroupCategory> categories, List<SUser> students)
    {
        var id = NextId();
        var isQuiz = i % 10 == QuizIndexMod;
        var isDiscussion = i % 10 == DiscussionIndexMod;
        var isNewQuiz = i % 10 == NewQuizIndexMod;
        var notGraded = i % 10 == NotGradedIndexMod;
        var group = isQuiz || isNewQuiz ? groups[1] : isDiscussion ? groups[2] : groups[0];

        var name = i switch
        {
            0 or DuplicateNameIndex => "Homework 1",
            LongNameIndex => AwkwardContent.LongName(i),
            _ when isQuiz => $"Quiz {i / 10 + 1}: Chapter {i}",
            _ when isDiscussion => $"Discussion: week {i / 10 + 1} reading",
            _ when isNewQuiz => $"Unit test {i / 10 + 1} (New Quizzes)",
            _ => $"Assignment {i}: {(i % 3 == 0 ? "Problem set" : i % 3 == 1 ? "Essay" : "Lab report")}",
        };
        var description = i switch
        {
            HugeDescriptionIndex => AwkwardContent.HugeDescription(_random),
            ScriptDescriptionIndex => AwkwardContent.Description(3, _random, name),
            _ when i % 7 == 0 => null,
            _ => AwkwardContent.Description(i % 7 == 1 ? 0 : i % 3 == 0 ? 2 : i % 2 == 0 ? 1 : 4, _random, name),
        };

        // Due dates spread around the anchor, at 23:59:59 Mountain time = 05:59:59Z; some have none.
        var dayOffset = course.WorkflowState == "completed" ? -200 + i * 2 : course.RestrictStudentFutureView ? 100 + i
            : -45 + i * 90 / Math.Max(1, _shape.AssignmentsPerCourse);
        DateTime? dueAt = i % 9 == 4 ? null : _anchor.AddDays(dayOffset).AddHours(5).AddMinutes(59).AddSeconds(59);
        DateTime? unlockAt = i == LockedIndex ? _anchor.AddDays(20) : dueAt?.AddDays(-14);
        double? points = notGraded ? null : i == ZeroPointsIndex ? 0.0 : new[] { 10.0, 20.0, 25.0, 100.0 }[i % 4];
        var gradingType = notGraded ? "not_graded"
            : (i % 11) switch { 5 => "percent", 7 => "letter_grade", 10 => "pass_fail", _ => "points" };
        string[] types = isQuiz ? ["online_quiz"] : isDiscussion ? ["discussion_topic"] : isNewQuiz ? ["external_tool"]
            : notGraded ? ["none"] : i % 2 == 0 ? ["online_upload"] : ["online_text_entry", "online_upload"];
        var created = Precise(_anchor.AddDays(-100 + i));
        var onlyVisibleTo = i == DifferentiatedIndex ? students.Where((_, k) => k % 2 == 0).Select(s => s.Id).ToHashSet() : null;

        var assignment = new SAssignment(id, course.Id, group.Id, name, description, dueAt, unlockAt, dueAt?.AddDays(7), points,
            gradingType, types, i + 1, Published: i != UnpublishedIndex && course.WorkflowState != "unpublished",
            Deleted: i == DeletedIndex, created, Precise(created.AddDays(_random.Next(0, 10))),
            isQuiz ? 50_000 + id : null, isDiscussion ? 60_000 + id : null, isNewQuiz, PostManually: i == PostManuallyIndex,
            GroupCategoryId: i == 17 && categories.Count > 0 ? categories[0].Id : null)
        { OnlyVisibleTo = onlyVisibleTo };
        _world.Add(assignment);

        // Canvas keeps submission rows for published, non-deleted assignments only.
        if (!assignment.Published || assignment.Deleted) return;
        foreach (var student in students.DistinctBy(s => s.Id))
            _world.Add(Stamped(SubmissionFor(assignment, student.Id)));
    }

    /// <summary>A generated row was last saved when it was graded or submitted, else when its assignment was made.</summary>
    private SSubmission Stamped(SSubmission s) =>
        s with { UpdatedAt = new[] { s.GradedAt, s.SubmittedAt, _world.Assignments[s.AssignmentId].CreatedAt }.Max()!.Value };

    private SSubmission SubmissionFor(SAssignment a, long userId)
    {
        var roll = _random.NextDouble();
        var due = a.DueAt;
        var pastDue = due is null ? roll < 0.3 : due < _anchor;
        var id = NextId();
        var type = a.SubmissionTypes[0] switch
        {
            "online_quiz" => "online_quiz",
            "discussion_topic" => "discussion_topic",
            "external_tool" => "basic_lti_launch",
            "none" => null,
            _ => roll < 0.5 ? "online_upload" : "online_text_entry",
        };
        var blank = new SSubmission(id, a.Id, a.CourseId, userId, "unsubmitted", null, null, null, null, null, null, null, null, null,
            Excused: false, Late: false, Missing: false, 0, null, null, due, null);

        if (type is null) return blank;
        if (!pastDue)
        {
            if (roll > 0.2) return blank;
            return blank with
            {
                WorkflowState = "submitted",
                SubmittedAt = Precise(_anchor.AddDays(-1)),
                Attempt = 1,
                SubmissionType = type
            };
        }

        if (roll < 0.10) return blank with { Missing = due is not null, LatePolicyStatus = due is null ? null : "missing" };
        if (roll < 0.13) return blank with
        {
            WorkflowState = "graded",
            Excused = true,
            GradedAt = Precise(_anchor.AddDays(-3)),
            GraderId = 1001,
            PostedAt = Precise(_anchor.AddDays(-3))
        };

        // About one in eight submissions past a due date comes in late.
        var submittedAt = Precise((due ?? _anchor.AddDays(-20)).AddHours(_random.NextDouble() < 0.12 ? 30 : -_random.Next(1, 72)));
        var late = due is not null && submittedAt > due;
        var submitted = blank with
        {
            WorkflowState = "submitted",
            SubmittedAt = submittedAt,
            Attempt = 1,
            SubmissionType = type,
            Late = late,
            SecondsLate = late ? (long)(submittedAt - due!.Value).TotalSeconds : 0,
            Body = type == "online_text_entry" ? "<p>My answer ✍️</p>" : null,
            Url = type == "basic_lti_launch" ? $"https://canvas.example.edu/courses/{a.CourseId}/external_tools/retrieve?assignment_id={a.Id}&display=borderless&url=https%3A%2F%2Fquiz-lti.example%2Flti%2Flaunch" : null,
        };
        if (roll < 0.22) return a.QuizId is not null ? submitted with { WorkflowState = "pending_review" } : submitted;

        var points = a.PointsPossible ?? 0;
        var score = Math.Round(points * (0.55 + 0.45 * _random.NextDouble()) * 2, MidpointRounding.AwayFromZero) / 2;
        double? deducted = late ? Math.Round(points * 0.1, 1) : null;
        if (deducted is not null) score = Math.Max(0, score - deducted.Value);
        var gradedAt = Precise(submittedAt.AddDays(_random.Next(1, 5)));
        if (gradedAt > _anchor) gradedAt = Precise(_anchor.AddDays(-1));
        return submitted with
        {
            WorkflowState = "graded",
            Score = score,
            Grade = GradeCalculator.GradeString(a.GradingType, score, points),
            GradedAt = gradedAt,
            GraderId = a.QuizId is { } quizId ? -quizId : 1001,
            PointsDeducted = deducted,
            PostedAt = a.PostManually ? null : gradedAt,
            LatePolicyStatus = late ? "late" : null,
        };
    }

    private List<SGroupCategory> AddGroupCategories(SCourse course, List<SUser> students)
    {
        var result = new List<SGroupCategory>();
        if (course.WorkflowState == "unpublished") return result;
        for (var c = 0; c < _shape.GroupCategoriesPerCourse; c++)
        {
            var category = new SGroupCategory(NextId(), course.Id, c == 0 ? "Project Groups" : "Study Buddies",
                c == 0 ? null : "enabled", c == 0 ? null : 6, c == 0 ? "first" : null, Precise(_anchor.AddDays(-80)));
            _world.Add(category);
            result.Add(category);

            var size = c == 0 ? 5 : 4;
            var members = c == 0 ? students : students.Where((_, i) => i % 3 == 0).ToList();
            var groupCount = Math.Max(1, members.Count / size);
            for (var g = 0; g <= groupCount; g++)
            {
                // The last group of each category is empty, as groups often are.
                var inGroup = g == groupCount ? [] : members.Skip(g * size).Take(size).ToList();
                var group = new SGroup(NextId(), category.Id, course.Id, $"{category.Name} {g + 1}", Precise(_anchor.AddDays(-79)),
                    c == 0 ? size : 6, c == 0 ? "invitation_only" : "parent_context_auto_join", g % 4 == 0 ? "Meets on Tuesdays" : null,
                    inGroup.Count > 0 && c == 0 ? inGroup[0].Id : null);
                _world.Add(group);
                for (var m = 0; m < inGroup.Count; m++)
                {
                    // invited and requested memberships occur as well as accepted ones.
                    var state = (g + m) % 11 == 5 ? "invited" : (g + m) % 13 == 7 ? "requested" : "accepted";
                    _world.Add(new SMembership(NextId(), group.Id, inGroup[m].Id, state, m == 0 && c == 0, Precise(_anchor.AddDays(-78))));
                }
            }
        }

        return result;
    }
}
