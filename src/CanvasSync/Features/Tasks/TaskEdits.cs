using System.Security.Claims;
using System.Text.Json;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CanvasSync.Features.Tasks;

/// <summary>
/// PATCH /api/v1/tasks/{id}: the user's own fields of a task, which no sync ever touches. Each field is optional; a
/// field sent as null clears the user's value (completed and estimated_minutes then follow Canvas again).
/// </summary>
internal static class TaskEdits
{
    public const int MaxEstimatedMinutes = 7 * 24 * 60;
    public const int MaxNotesLength = 10_000;

    public static async Task<Results<Ok<TaskView>, ProblemHttpResult>> PatchAsync(long id, JsonElement body, ClaimsPrincipal caller,
        CanvasSyncDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return Problems.Field("body", "a JSON object is needed: {\"completed\", \"estimated_minutes\", \"notes\"}");
        var given = new HashSet<string>(StringComparer.Ordinal);
        bool? completed = null;
        int? minutes = null;
        string? notes = null;
        foreach (var field in body.EnumerateObject())
        {
            var value = field.Value;
            var isNull = value.ValueKind == JsonValueKind.Null;
            switch (field.Name)
            {
                case "completed" when isNull || value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    completed = isNull ? null : value.GetBoolean();
                    break;
                case "completed":
                    return Problems.Field("completed", "completed must be true, false or null");
                case "estimated_minutes" when isNull
                    || (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var m) && m is >= 1 and <= MaxEstimatedMinutes):
                    minutes = isNull ? null : value.GetInt32();
                    break;
                case "estimated_minutes":
                    return Problems.Field("estimated_minutes", $"estimated_minutes must be a whole number from 1 to {MaxEstimatedMinutes}, or null");
                case "notes" when isNull || (WellFormedText(value) is { } text && text.Length <= MaxNotesLength):
                    notes = isNull ? null : value.GetString();
                    break;
                case "notes":
                    return Problems.Field("notes", $"notes must be text (well-formed Unicode) of at most {MaxNotesLength} characters, or null");
                default:
                    return Problems.Field(field.Name, "unknown field: only completed, estimated_minutes and notes can be changed");
            }

            given.Add(field.Name);
        }

        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();
        // The edit takes a change version like a sync does, so the change feed reports it.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var task = await db.Tasks.FirstOrDefaultAsync(t => t.Id == id && t.ConnectionId == me.Id && t.DeletedAt == null, ct);
        if (task is null) return TypedResults.Problem($"no task {id}", statusCode: StatusCodes.Status404NotFound);
        if (given.Contains("completed")) task.UserCompleted = completed;
        if (given.Contains("estimated_minutes")) task.UserEstimatedMinutes = minutes;
        if (given.Contains("notes")) task.Notes = notes;
        var now = time.GetUtcNow().UtcDateTime;
        task.UpdatedAt = task.ChangedAt = now;
        task.ChangeVersion = await ChangeVersions.NextAsync(db.Database.GetDbConnection(), tx.GetDbTransaction(), me.Id, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(task.AsView());
    }

    /// <summary>
    /// The string, or null when the value is not one or is not well-formed Unicode: JSON may escape a lone surrogate
    /// ("\ud800"), which neither UTF-8 nor PostgreSQL can store.
    /// </summary>
    private static string? WellFormedText(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String) return null;
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null; // System.Text.Json refuses to make a string of invalid UTF-16
        }
    }
}
