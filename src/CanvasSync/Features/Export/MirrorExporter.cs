using System.Data.Common;
using System.Text.Json;
using CanvasSync.Data;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Courses;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.Groups;
using CanvasSync.Features.Planner;
using CanvasSync.Features.Submissions;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Export;

/// <summary>
/// The mirror as one JSON object: a list per entity type, each item exactly as Canvas last served it (Canvas's field
/// names), streamed row by row so a large mirror is never held in memory. Deleted rows are left out unless asked for.
/// </summary>
internal static class MirrorExporter
{
    private static readonly (string Name, MirrorTable Table)[] Lists =
    [
        ("courses", CoursesCollection.Table), ("terms", Terms.Table), ("assignment_groups", AssignmentGroupsCollection.Table),
        ("assignments", AssignmentsCollection.Table), ("submissions", SubmissionsCollection.Table),
            ("enrollments", EnrollmentsCollection.Table),
        ("group_categories", GroupCategoriesCollection.Table), ("groups", GroupsCollection.Table),
            ("group_memberships", MembershipsCollection.Table),
        ("planner_items", PlannerItemsCollection.Table),
    ];

    /// <summary>Reads through <paramref name="db"/>'s own connection: the raw rows, then the tasks.</summary>
    public static async Task ExportAsync(CanvasSyncDbContext db, long connectionId, bool includeDeleted, Stream output,
        CancellationToken ct)
    {
        await using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        await db.Database.OpenConnectionAsync(ct);
        var connection = db.Database.GetDbConnection();
        writer.WriteStartObject();
        writer.WriteNumber("connection_id", connectionId);
        foreach (var (name, table) in Lists)
        {
            writer.WriteStartArray(name);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT raw_json, deleted_at FROM {table.Name} WHERE connection_id = @c"
                + (includeDeleted ? "" : " AND deleted_at IS NULL") + " ORDER BY canvas_id";
            var p = cmd.CreateParameter();
            p.ParameterName = "c";
            p.Value = connectionId;
            cmd.Parameters.Add(p);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                // Canvas's JSON goes out as it came in; a deleted row (only with --include-deleted) says when.
                if (reader.IsDBNull(1)) writer.WriteRawValue(reader.GetString(0), skipInputValidation: true);
                else WriteDeleted(writer, reader);
            }

            writer.WriteEndArray();
            await writer.FlushAsync(ct);
        }

        await WriteTasksAsync(db, connectionId, includeDeleted, writer, ct);
        writer.WriteEndObject();
    }

    private static void WriteDeleted(Utf8JsonWriter writer, DbDataReader reader)
    {
        using var doc = JsonDocument.Parse(reader.GetString(0));
        writer.WriteStartObject();
        foreach (var property in doc.RootElement.EnumerateObject()) property.WriteTo(writer);
        writer.WriteString("canvas_sync_deleted_at", DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc));
        writer.WriteEndObject();
    }

    /// <summary>Tasks are CanvasSync's own: snake_case fields, with the user's own fields beside the Canvas-derived ones.</summary>
    private static async Task WriteTasksAsync(CanvasSyncDbContext db, long connectionId, bool includeDeleted, Utf8JsonWriter writer,
        CancellationToken ct)
    {
        writer.WriteStartArray("tasks");
        await foreach (var t in db.Tasks.AsNoTracking()
            .Where(t => t.ConnectionId == connectionId && (includeDeleted || t.DeletedAt == null))
                           .OrderBy(t => t.ExternalId).AsAsyncEnumerable().WithCancellation(ct))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", t.Id);
            writer.WriteString("title", t.Title);
            writer.WriteString("description", t.Description);
            if (t.DueDate is { } due) writer.WriteString("due_date", due); else writer.WriteNull("due_date");
            if (t.EstimatedMinutes is { } m) writer.WriteNumber("estimated_minutes", m); else writer.WriteNull("estimated_minutes");
            writer.WriteString("subject", t.Subject);
            writer.WriteString("type", SnakeCase.From(t.Type.ToString()));
            writer.WriteBoolean("completed", t.UserCompleted ?? t.Completed);
            writer.WriteBoolean("canvas_completed", t.Completed);
            if (t.UserEstimatedMinutes is { } um) writer.WriteNumber("user_estimated_minutes", um);
            else
                writer.WriteNull("user_estimated_minutes");
            writer.WriteString("notes", t.Notes);
            writer.WriteString("external_source", t.ExternalSource);
            writer.WriteNumber("external_id", t.ExternalId);
            writer.WriteNumber("external_course_id", t.ExternalCourseId);
            if (t.ExternalUpdatedAt is { } u) writer.WriteString("external_updated_at", u); else writer.WriteNull("external_updated_at");
            if (t.DeletedAt is { } d) writer.WriteString("deleted_at", d);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
