using System.Globalization;

namespace CanvasSync.Sandbox.World;

/// <summary>Course grades as Canvas computes them, kept on each student enrollment.</summary>
internal static class GradeCalculator
{
    /// <summary>
    /// current_score counts graded work only; final_score counts ungraded work as zero. The posted pair is what the
    /// student sees; the unposted pair also counts grades a teacher has not posted yet.
    /// </summary>
    public static void Update(SandboxWorld world, long courseId, long userId)
    {
        var course = world.Courses[courseId];
        var counted = world.AssignmentsInCourse(courseId)
            .Where(a => a is { Published: true, Deleted: false, PointsPossible: > 0 } && a.GradingType != "not_graded"
                && a.IsVisibleTo(userId))
            .ToList();
        var submissions = counted
            .Select(a => (a, s: world.SubmissionByKey.TryGetValue((a.Id, userId), out var sid) ? world.Submissions[sid] : null))
            .Where(x => x.s is null || !x.s.Excused)
            .ToList();

        (double? Current, double? Final) Scores(bool postedOnly)
        {
            var graded = submissions.Where(x => x.s?.Score is not null && (!postedOnly || x.s.PostedAt is not null)).ToList();
            if (graded.Count == 0) return (null, null);
            var earned = graded.Sum(x => x.s!.Score!.Value);
            var possibleGraded = graded.Sum(x => x.a.PointsPossible!.Value);
            var possibleAll = submissions.Sum(x => x.a.PointsPossible!.Value);
            return (Math.Round(earned / possibleGraded * 100, 2), Math.Round(earned / possibleAll * 100, 2));
        }

        var (current, final) = Scores(postedOnly: true);
        var (unpostedCurrent, unpostedFinal) = Scores(postedOnly: false);
        string? Letter(double? score) => course.HasGradingScheme && score is { } v ? LetterGrade(v) : null;
        var grades = new EnrollmentGrades(current, final, Letter(current), Letter(final),
            unpostedCurrent, unpostedFinal, Letter(unpostedCurrent), Letter(unpostedFinal));

        foreach (var e in world.EnrollmentsInCourse(courseId).Where(e => e.UserId == userId && e.IsStudentType).ToList())
            world.Add(e with { Grades = grades });
    }

    public static string? GradeString(string gradingType, double score, double pointsPossible) => gradingType switch
    {
        "not_graded" => null,
        "percent" => RoundIfWhole(pointsPossible > 0 ? Math.Round(score / pointsPossible * 100, 2) : 0) + "%",
        "letter_grade" => LetterGrade(pointsPossible > 0 ? score / pointsPossible * 100 : 0),
        "pass_fail" => pointsPossible <= 0 || score / pointsPossible >= 0.6 ? "complete" : "incomplete",
        _ => RoundIfWhole(score),
    };

    /// <summary>Canvas's round_if_whole: 9.0 prints as "9", 8.5 as "8.5".</summary>
    public static string RoundIfWhole(double value) =>
        value == Math.Floor(value) ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string LetterGrade(double percent) => percent switch
    {
        >= 94 => "A",
        >= 90 => "A-",
        >= 87 => "B+",
        >= 84 => "B",
        >= 80 => "B-",
        >= 77 => "C+",
        >= 74 => "C",
        >= 70 => "C-",
        >= 67 => "D+",
        >= 64 => "D",
        >= 61 => "D-",
        _ => "F",
    };
}
