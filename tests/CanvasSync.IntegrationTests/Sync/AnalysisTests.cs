using System.Text.Json;
using CanvasSync.Features.Analysis;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>canvas-sync analyze's figures, held against the sandbox's own truth for the student.</summary>
[Collection(SecondPostgresCollection.Name)]
public sealed class AnalysisTests(PostgresServer postgres)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Upcoming_overdue_grades_and_workload_match_what_canvas_says(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Student });
        var token = h.Sandbox.Tokens.Student;
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(token)).Status);
        var truth = await h.TruthAsync(token);
        var now = DateTime.UtcNow;

        AnalysisReport report;
        Dictionary<long, (string Source, long ExternalId)> tasks;
        await using (var db = h.Database.Context())
        {
            var me = await db.Connections.Where(c => c.Id == h.ConnectionId).Select(c => new OwnConnection(c.Id, c.CanvasUserId, c.BaseUrl))
                .SingleAsync();
            report = await StudentAnalysis.AnalyzeAsync(db, me, now, days: 14, weeks: 4, CancellationToken.None);
            tasks = await db.Tasks.ToDictionaryAsync(t => t.Id, t => (t.ExternalSource, t.ExternalId));
        }

        // Open assignments by Canvas's own submission state.
        var assignments = truth.GetProperty("assignments").EnumerateArray().Select(a =>
        {
            var s = a.GetProperty("submission");
            var done = s.GetProperty("excused").GetBoolean()
                || s.GetProperty("workflow_state").GetString() is "submitted" or "graded" or "pending_review";
            var due = a.GetProperty("due_at") is { ValueKind: JsonValueKind.String } d ? d.GetDateTime().ToUniversalTime()
                : (DateTime?)null;
            var points = a.GetProperty("points_possible") is { ValueKind: JsonValueKind.Number } p ? p.GetDouble() : (double?)null;
            return (Id: a.GetProperty("id").GetInt64(), Course: a.GetProperty("course_id").GetInt64(), Due: due, Points: points, Done: done,
                Submission: s);
        }).ToList();
        var open = assignments.Where(a => !a.Done && a.Due is not null).ToList();
        HashSet<long> AssignmentIds(IEnumerable<DueItem> items) =>
            items.Select(i => tasks[i.TaskId]).Where(t => t.Source == "canvas").Select(t => t.ExternalId).ToHashSet();

        Assert.Equal(open.Where(a => a.Due >= now && a.Due <= now.AddDays(14)).Select(a => a.Id).ToHashSet(),
            AssignmentIds(report.Upcoming));
        Assert.Equal(open.Where(a => a.Due < now && a.Due >= now.AddDays(-90)).Select(a => a.Id).ToHashSet(),
            AssignmentIds(report.Overdue));
        Assert.NotEmpty(report.Upcoming);
        Assert.NotEmpty(report.Overdue);
        // Canvas's missing flag comes with the submissions listing (an assignment's embedded submission lacks it).
        var missing = truth.GetProperty("submissions").EnumerateArray().Where(x => x.GetProperty("missing").GetBoolean())
            .Select(x => x.GetProperty("assignment_id").GetInt64()).ToHashSet();
        foreach (var item in report.Overdue.Where(i => tasks[i.TaskId].Source == "canvas"))
            Assert.Equal(missing.Contains(tasks[item.TaskId].ExternalId), item.Missing);
        Assert.Contains(report.Overdue, i => i.Missing);

        // Grades: the spread of the student's own scores, in percent of each assignment's points.
        Assert.NotEmpty(report.Grades);
        foreach (var g in report.Grades)
        {
            // An unposted grade has no score key, as in Canvas.
            var percents = assignments.Where(a => a.Course == g.CourseId && a.Points > 0
                && !a.Submission.GetProperty("excused").GetBoolean()
                    && a.Submission.TryGetProperty("score", out var score) && score.ValueKind == JsonValueKind.Number)
                .Select(a => a.Submission.GetProperty("score").GetDouble() / a.Points!.Value * 100).Order().ToList();
            Assert.Equal(percents.Count, g.Scored);
            if (percents.Count == 0) continue;
            Assert.Equal(Math.Round(percents[0], 2), g.Lowest);
            Assert.Equal(Math.Round(percents[^1], 2), g.Highest);
            Assert.Equal(Math.Round(percents.Average(), 2), g.Mean);
        }
        Assert.Contains(report.Grades, g => g.Scored > 1 && g.StandardDeviation > 0);

        // Workload: open assignments' estimates (points × 3 minutes) per week from this Monday.
        var monday = DateOnly.FromDateTime(now).AddDays(-(((int)now.DayOfWeek + 6) % 7)).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        Assert.Equal(4, report.Workload.Count);
        for (var w = 0; w < 4; w++)
        {
            var week = open.Where(a => a.Due >= monday.AddDays(7 * w) && a.Due < monday.AddDays(7 * w + 7)).ToList();
            var load = report.Workload[w];
            Assert.Equal(DateOnly.FromDateTime(monday.AddDays(7 * w)), load.WeekStart);
            var plannerTasks = load.Tasks - week.Count; // the planner's own open to-dos that week, which have no estimate
            Assert.True(plannerTasks >= 0);
            Assert.Equal(week.Sum(a => a.Points is { } p ? (int)Math.Round(p * 3) : 0), load.EstimatedMinutes);
        }
        Assert.Contains(report.Workload, w => w.EstimatedMinutes > 0);
    }
}
