using System.Globalization;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.Tasks;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Export;

/// <summary>
/// Tasks and grades as CSV (RFC 4180 by CsvHelper: a header row, fields quoted where they need it, UTF-8), for
/// spreadsheets. Times are ISO 8601 UTC; empty cells are unknowns.
/// </summary>
internal static class CsvExports
{
    public static readonly string[] Tables = ["tasks", "grades"];

    private static readonly string[] TaskColumns =
        ["id", "title", "course", "type", "source", "due_date", "completed", "canvas_completed", "estimated_minutes", "notes",
            "canvas_assignment_id",
            "plannable_id", "canvas_course_id"];

    private static readonly string[] GradeColumns =
        ["course_id", "course_name", "course_code", "enrollment_state", "current_score", "current_grade", "final_score", "final_grade"];

    /// <param name="writer">Left open: the caller owns it.</param>
    public static async Task WriteAsync(string table, CanvasSyncDbContext db, OwnConnection me, TextWriter writer, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(writer, null, leaveOpen: true);
        if (table == "tasks")
        {
            csv.WriteHeader(TaskColumns);
            var tasks = await db.Tasks.AsNoTracking().Where(t => t.ConnectionId == me.Id && t.DeletedAt == null)
                .OrderBy(t => t.DueDate == null).ThenBy(t => t.DueDate).ThenBy(t => t.Id).ToListAsync(ct);
            foreach (var t in tasks.Select(t => t.AsView()))
                csv.WriteRecord([Text(t.Id), Cell(t.Title), Cell(t.Subject), t.Type, t.Source,
                    t.DueDate?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    Text(t.Completed), Text(t.CanvasCompleted), Text(t.EstimatedMinutes), Cell(t.Notes), Text(t.CanvasAssignmentId),
                        Text(t.PlannableId), Text(t.CanvasCourseId)]);
        }
        else if (table == "grades")
        {
            csv.WriteHeader(GradeColumns);
            foreach (var g in await EnrollmentViews.OwnGradesAsync(db, me, ct))
                csv.WriteRecord([Text(g.CourseId), Cell(g.CourseName), Cell(g.CourseCode), g.EnrollmentState, Text(g.Grades.CurrentScore),
                    Cell(g.Grades.CurrentGrade),
                    Text(g.Grades.FinalScore), Cell(g.Grades.FinalGrade)]);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(table), table, "tasks or grades");
        }

        await csv.FlushAsync(ct);
    }

    /// <summary>
    /// Text that came from Canvas or the user: one starting with = + - @ tab or CR would run as a formula when a
    /// spreadsheet opens the file (CSV injection), so it gets a leading ' that makes the cell text (OWASP's advice).
    /// Numbers are written by <see cref="Text(double?)"/> and never escaped, so a score of -5 stays a number.
    /// </summary>
    public static string? Cell(string? text) => text is [('=' or '+' or '-' or '@' or '\t' or '\r'), ..] ? "'" + text : text;

    private static string? Text(double? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string Text(bool value) => value ? "true" : "false";
}
