using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.Submissions;
using CanvasSync.Features.Tasks;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Analysis;

/// <summary>A task with a due date, as the analysis lists it.</summary>
internal sealed record DueItem(long TaskId, string Title, string? Course, DateTime DueAt, string Status, bool Missing,
    int? EstimatedMinutes, string Source);

/// <summary>
/// A course the user takes: Canvas's current and final score, and the spread of the user's own scores on its graded
/// work, in percent of each assignment's points.
/// </summary>
internal sealed record CourseGradeStats(long CourseId, string? Course, double? CurrentScore, double? FinalScore, string? CurrentGrade,
    int Scored,
    double? Lowest, double? Highest, double? Mean, double? Median, double? StandardDeviation);

/// <summary>A week (Monday to Sunday, UTC) of open work: how many tasks are due and their estimated minutes.</summary>
internal sealed record WeekLoad(DateOnly WeekStart, int Tasks, int EstimatedMinutes);

/// <summary>Open work due in the next days, and open work past due: the analysis's first two lists, and Home's beside its
/// assignments.</summary>
internal sealed record DueWork(IReadOnlyList<DueItem> Upcoming, IReadOnlyList<DueItem> Overdue);

internal sealed record AnalysisReport(DateTime GeneratedAt, IReadOnlyList<DueItem> Upcoming, IReadOnlyList<DueItem> Overdue,
    IReadOnlyList<CourseGradeStats> Grades, IReadOnlyList<WeekLoad> Workload);

/// <summary>
/// What a student should look at, from the mirror: open work due in the next <c>days</c>; open work past due (the last
/// 90 days, so last year's concluded courses do not drown it), with Canvas's missing flag; grades with the spread of
/// the user's scores; and the estimated minutes of open work per week for the next <c>weeks</c> weeks. "Open" is a
/// task neither Canvas nor the user counts as done.
/// </summary>
internal static class StudentAnalysis
{
    public static readonly TimeSpan OverdueWindow = TimeSpan.FromDays(90);

    public static async Task<AnalysisReport> AnalyzeAsync(CanvasSyncDbContext db, OwnConnection me, DateTime now, int days, int weeks,
        CancellationToken ct)
    {
        var (open, own) = await OpenWorkAsync(db, me, ct);
        var due = Due(open, own, now, days);

        var monday = DateOnly.FromDateTime(now).AddDays(-(((int)now.DayOfWeek + 6) % 7));
        var workload = Enumerable.Range(0, weeks).Select(w =>
        {
            var start = monday.AddDays(7 * w).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var due = open.Where(t => t.DueDate >= start && t.DueDate < start.AddDays(7)).ToList();
            return new WeekLoad(DateOnly.FromDateTime(start), due.Count, due.Sum(t => t.UserEstimatedMinutes ?? t.EstimatedMinutes ?? 0));
        }).ToList();

        return new AnalysisReport(now, due.Upcoming, due.Overdue, await GradesAsync(db, me, own.Values, ct), workload);
    }

    /// <summary>The due lists alone (Home shows them), without the grades and the workload the whole analysis reads.</summary>
    public static async Task<DueWork> DueAsync(CanvasSyncDbContext db, OwnConnection me, DateTime now, int days, CancellationToken ct)
    {
        var (open, own) = await OpenWorkAsync(db, me, ct);
        return Due(open, own, now, days);
    }

    /// <summary>The dated tasks neither Canvas nor the user counts as done, and the user's own submissions by assignment.</summary>
    private static async Task<(List<PlannerTask> Open, Dictionary<long, Submission> Own)> OpenWorkAsync(CanvasSyncDbContext db,
        OwnConnection me, CancellationToken ct)
    {
        var tasks = await TaskQueries.DatedAsync(db, me.Id, ct);
        var own = await TaskQueries.OwnSubmissionsAsync(db, me, ct);
        return (tasks.Where(t => !(t.UserCompleted ?? t.Completed)).ToList(), own);
    }

    private static DueWork Due(List<PlannerTask> open, Dictionary<long, Submission> own, DateTime now, int days)
    {
        DueItem Item(PlannerTask t) => new(t.Id, t.Title, t.Subject, t.DueDate!.Value, SubmissionStatus.Of(t, own),
            t.ExternalSource == "canvas" && own.GetValueOrDefault(t.ExternalId)?.Missing == true, t.UserEstimatedMinutes
                ?? t.EstimatedMinutes, TaskEndpoints.SourceOf(t));

        return new DueWork(open.Where(t => t.DueDate >= now && t.DueDate <= now.AddDays(days)).Select(Item).ToList(),
            open.Where(t => t.DueDate < now && t.DueDate >= now - OverdueWindow).Select(Item).ToList());
    }

    private static async Task<List<CourseGradeStats>> GradesAsync(CanvasSyncDbContext db, OwnConnection me, IEnumerable<Submission> own,
        CancellationToken ct)
    {
        var points = await db.Assignments.AsNoTracking().Where(a => a.ConnectionId == me.Id && a.DeletedAt == null && a.PointsPossible > 0)
            .ToDictionaryAsync(a => a.CanvasId, a => a.PointsPossible!.Value, ct);
        var percents = own.Where(s => s.Score is not null && !s.Excused && points.ContainsKey(s.AssignmentCanvasId))
            .ToLookup(s => s.CourseCanvasId, s => s.Score!.Value / points[s.AssignmentCanvasId] * 100);
        return (await EnrollmentViews.OwnGradesAsync(db, me, ct)).Select(g =>
        {
            var scores = percents[g.CourseId].Order().ToList();
            if (scores.Count == 0)
                return new CourseGradeStats(g.CourseId, g.CourseName, g.Grades.CurrentScore, g.Grades.FinalScore, g.Grades.CurrentGrade, 0,
                    null, null, null, null, null);
            var mean = scores.Average();
            return new CourseGradeStats(g.CourseId, g.CourseName, g.Grades.CurrentScore, g.Grades.FinalScore, g.Grades.CurrentGrade,
                scores.Count,
                Round(scores[0]), Round(scores[^1]), Round(mean), Round(Median(scores)),
                    Round(Math.Sqrt(scores.Sum(x => Math.Pow(x - mean, 2)) / scores.Count)));
        }).ToList();
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static double Round(double value) => Math.Round(value, 2);
}
