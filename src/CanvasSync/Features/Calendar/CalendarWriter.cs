using CanvasSync.Data;
using CanvasSync.Features.Tasks;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Calendar;

/// <summary>
/// The feed itself (RFC 5545, by Ical.Net): one event per dated task at its due time, with what Canvas's own feed
/// lacks, the submission status (for a planner to-do, "to do" or "done"). A completed task's summary starts with "✓ ".
/// UIDs are stable, so a calendar app updates an event in place when a sync changes it.
/// </summary>
internal static class CalendarWriter
{
    public static async Task<string> WriteAsync(CanvasSyncDbContext db, long connectionId, string calendarName, DateTime now, CancellationToken ct)
    {
        var connection = await db.Connections.AsNoTracking().Where(c => c.Id == connectionId).Select(c => new { c.CanvasUserId, c.BaseUrl }).SingleAsync(ct);
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.ConnectionId == connectionId && t.DeletedAt == null && t.DueDate != null)
            .OrderBy(t => t.DueDate).ThenBy(t => t.Id).ToListAsync(ct);
        var submissions = (await db.Submissions.AsNoTracking()
                .Where(s => s.ConnectionId == connectionId && s.UserCanvasId == connection.CanvasUserId && s.DeletedAt == null)
                .ToListAsync(ct))
            .GroupBy(s => s.AssignmentCanvasId).ToDictionary(g => g.Key, g => g.First());

        var calendar = new Ical.Net.Calendar { ProductId = "-//CanvasSync//Canvas due dates//EN" };
        calendar.AddProperty("X-WR-CALNAME", calendarName);
        calendar.AddProperty("X-PUBLISHED-TTL", "PT1H"); // how often apps should look again
        foreach (var task in tasks)
        {
            var fromAssignment = task.ExternalSource == "canvas";
            var status = SubmissionStatus.Of(task, submissions);
            var due = new CalDateTime(DateTime.SpecifyKind(task.DueDate!.Value, DateTimeKind.Utc));
            var done = task.UserCompleted ?? task.Completed;
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"canvassync-task-{task.Id}",
                Summary = (done ? "✓ " : "") + task.Title,
                Description = $"{task.Subject}\nStatus: {status}" + (task.Notes is { Length: > 0 } notes ? $"\nNotes: {notes}" : ""),
                DtStart = due,
                DtEnd = due,
                Url = fromAssignment ? new Uri($"{connection.BaseUrl}/courses/{task.ExternalCourseId}/assignments/{task.ExternalId}")
                    : task.ExternalCourseId > 0 ? new Uri($"{connection.BaseUrl}/courses/{task.ExternalCourseId}") : new Uri($"{connection.BaseUrl}/calendar"),
                Categories = [task.Subject ?? "Canvas", status],
                LastModified = new CalDateTime(DateTime.SpecifyKind(task.ChangedAt, DateTimeKind.Utc)),
                DtStamp = new CalDateTime(DateTime.SpecifyKind(now, DateTimeKind.Utc)),
            });
        }

        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    /// <summary>The feed of a user with no Canvas connection: a valid calendar with no events.</summary>
    public static string WriteEmpty() => new CalendarSerializer().SerializeToString(new Ical.Net.Calendar { ProductId = "-//CanvasSync//Canvas due dates//EN" }) ?? "";
}
