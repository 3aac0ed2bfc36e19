using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.IntegrationTests.Infrastructure;
using CsvHelper;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Api;

/// <summary>GET /api/v1/export/tasks.csv and grades.csv, read back with CsvHelper and held against the JSON API.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CsvExportTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Tasks_and_grades_as_csv_say_what_the_api_says(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        await h.SyncStoredAsync(alice.UserId);
        var first = (await JsonOf(await alice.Http.GetAsync("/api/v1/tasks?limit=1"))).GetProperty("items")[0].GetProperty("id").GetInt64();
        (await alice.Http.PatchAsJsonAsync($"/api/v1/tasks/{first}",
            new { notes = "line one\nline two, with \"quotes\"", estimated_minutes = 45 })).EnsureSuccessStatusCode();

        using var tasksCsv = await alice.Http.GetAsync("/api/v1/export/tasks.csv");
        Assert.Equal(HttpStatusCode.OK, tasksCsv.StatusCode);
        Assert.Equal("text/csv", tasksCsv.Content.Headers.ContentType!.MediaType);
        Assert.Contains("canvas-tasks.csv", tasksCsv.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);
        var rows = Read(await tasksCsv.Content.ReadAsStringAsync());
        var tasks = await AllTasksAsync(alice.Http);
        Assert.Equal(tasks.Count, rows.Count);
        foreach (var task in tasks)
        {
            var row = rows[task.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture)];
            Assert.Equal(task.GetProperty("title").GetString(), row["title"]);
            Assert.Equal(task.GetProperty("completed").GetBoolean() ? "true" : "false", row["completed"]);
            Assert.Equal(task.GetProperty("due_date") is { ValueKind: JsonValueKind.String } due
                ? due.GetDateTime().ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "",
                row["due_date"]);
            Assert.Equal(task.GetProperty("notes").GetString() ?? "", row["notes"]);
        }
        Assert.Equal("45", rows[first.ToString(CultureInfo.InvariantCulture)]["estimated_minutes"]);

        var grades = (await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/grades"))).EnumerateArray().ToList();
        var gradeRows = Read(await alice.Http.GetStringAsync("/api/v1/export/grades.csv"), key: "course_id");
        Assert.Equal(grades.Count, gradeRows.Count);
        foreach (var g in grades)
        {
            var row = gradeRows[g.GetProperty("course_id").GetInt64().ToString(CultureInfo.InvariantCulture)];
            Assert.Equal(g.GetProperty("course_name").GetString(), row["course_name"]);
            var score = g.GetProperty("grades").GetProperty("current_score");
            Assert.Equal(score.ValueKind == JsonValueKind.Null ? "" : score.GetDouble().ToString(CultureInfo.InvariantCulture),
                row["current_score"]);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.GetAsync("/api/v1/export/secrets.csv")).StatusCode);
        var bob = await h.AddUserAsync("bob");
        Assert.Equal(HttpStatusCode.Conflict, (await bob.Http.GetAsync("/api/v1/export/tasks.csv")).StatusCode); // not connected
        Assert.Equal(HttpStatusCode.Unauthorized, (await h.Anonymous().GetAsync("/api/v1/export/tasks.csv")).StatusCode);
    }

    /// <summary>The rows by their key column, each as column → text.</summary>
    private static Dictionary<string, Dictionary<string, string>> Read(string text, string key = "id")
    {
        using var csv = CsvReader.FromText(text);
        var rows = new Dictionary<string, Dictionary<string, string>>();
        while (csv.Read())
        {
            var row = csv.Headers.ToDictionary(name => name, name => csv.GetString(name) ?? "");
            rows.Add(row[key], row);
        }
        return rows;
    }
}
