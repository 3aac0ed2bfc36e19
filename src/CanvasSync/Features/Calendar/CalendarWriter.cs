using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Tasks;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace CanvasSync.Features.Calendar;

/// <summary>
/// The feed itself (RFC 5545, by Ical.Net): one event per dated task at its due time, with what Canvas's own feed
/// lacks, the submission status (for a planner to-do, "to do" or "done"). A completed task's summary starts with "✓ ".
/// UIDs are stable, so a calendar app updates an event in place when a sync changes it.
/// </summary>
internal static class CalendarWriter
{
    public static async Task<string> WriteAsync(CanvasSyncDbContext db, OwnConnection me, string calendarName, DateTime now,
        CancellationToken ct)
    {
        var tasks = await TaskQueries.DatedAsync(db, me.Id, ct);
        var submissions = await TaskQueries.OwnSubmissionsAsync(db, me, ct);

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
                Url = fromAssignment ? new Uri($"{me.BaseUrl}/courses/{task.ExternalCourseId}/assignments/{task.ExternalId}")
                    : task.ExternalCourseId > 0 ? new Uri($"{me.BaseUrl}/courses/{task.ExternalCourseId}") : new Uri($"{me.BaseUrl}/calendar"),
                Categories = [task.Subject ?? "Canvas", status],
                LastModified = new CalDateTime(DateTime.SpecifyKind(task.ChangedAt, DateTimeKind.Utc)),
                DtStamp = new CalDateTime(DateTime.SpecifyKind(now, DateTimeKind.Utc)),
            });
        }

        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    /// <summary>The feed of a user with no Canvas connection: a valid calendar with no events.</summary>
    public static string WriteEmpty() =>
        new CalendarSerializer().SerializeToString(new Ical.Net.Calendar { ProductId = "-//CanvasSync//Canvas due dates//EN" }) ?? "";
}
