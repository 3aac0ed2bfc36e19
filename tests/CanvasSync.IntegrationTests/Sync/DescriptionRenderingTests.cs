using System.Net.Http.Json;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>
/// Descriptions are rendered once, when a sync writes the assignment: safe HTML for the course page, text for the
/// task. A description nested 100,000 deep (1.1 MB, which once pinned a CPU for minutes in the parser) costs one
/// linear scan and is shown as text under a note.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DescriptionRenderingTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Descriptions_are_rendered_at_sync_time_and_deep_nesting_costs_a_linear_scan(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId))!.Status);
        var tasks = (await JsonOf(await alice.Http.GetAsync("/api/v1/tasks?limit=50&include_completed=true"))).GetProperty("items")
            .EnumerateArray()
            .Where(t => t.GetProperty("source").GetString() == "assignment").Take(2)
                .Select(t => t.GetProperty("canvas_assignment_id").GetInt64()).ToList();
        var (plain, hostile) = (tasks[0], tasks[1]);

        var deep = string.Concat(Enumerable.Repeat("<div>", 100_000)) + "the bottom" + string.Concat(Enumerable.Repeat("</div>", 100_000));
        Assert.True(deep.Length > 1_100_000);
        using (var canvas = new HttpClient { BaseAddress = new Uri(h.Sandbox.BaseUrl) })
        {
            const string Description = "<p>Read <b>chapter 3</b></p><script>alert(1)</script><p><a href=\"/courses/1/files/2\">notes</a></p>";
            (await canvas.PostAsJsonAsync($"/_sandbox/assignments/{plain}", new { description = Description })).EnsureSuccessStatusCode();
            (await canvas.PostAsJsonAsync($"/_sandbox/assignments/{hostile}", new { description = deep })).EnsureSuccessStatusCode();
        }

        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!.Status);
        await using var db = h.Database.Context();
        var rows = await db.Assignments.AsNoTracking().Where(a => a.CanvasId == plain || a.CanvasId == hostile)
            .ToDictionaryAsync(a => a.CanvasId);
        Assert.Equal($"<p>Read <b>chapter 3</b></p><p><a href=\"{h.Sandbox.BaseUrl}/courses/1/files/2\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">notes</a></p>",
            rows[plain].DescriptionHtml);
        Assert.Equal("Read chapter 3\nnotes", rows[plain].DescriptionText);
        Assert.StartsWith($"<p><em>{AssignmentDescription.TooComplexNote}</em></p><pre>", rows[hostile].DescriptionHtml,
            StringComparison.Ordinal);
        Assert.Equal("the bottom", rows[hostile].DescriptionText);

        // Tasks carry the text rendered then; nothing parses the HTML again.
        var after = (await JsonOf(await alice.Http.GetAsync("/api/v1/tasks?limit=200&include_completed=true"))).GetProperty("items")
            .EnumerateArray()
            .Where(t => t.GetProperty("source").GetString() == "assignment")
                .ToDictionary(t => t.GetProperty("canvas_assignment_id").GetInt64());
        Assert.Equal("Read chapter 3\nnotes", after[plain].GetProperty("description").GetString());
        Assert.Equal("the bottom", after[hostile].GetProperty("description").GetString());
    }
}
