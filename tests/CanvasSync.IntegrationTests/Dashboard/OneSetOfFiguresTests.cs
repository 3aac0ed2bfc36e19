using System.Globalization;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.IntegrationTests.Monitoring;
using CanvasSync.Pages.Shared;
using static Microsoft.Playwright.Assertions;

namespace CanvasSync.IntegrationTests.Dashboard;

/// <summary>
/// One run, one set of figures: its duration, items read and rows changed are the same in the engine's result (what
/// the CLI prints), the log line, the API, the metrics API, Prometheus, and the history and monitoring pages.
/// </summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class OneSetOfFiguresTests(PostgresServer postgres, Browser browser) : IClassFixture<Browser>
{
    [Fact]
    public async Task A_runs_duration_items_read_and_rows_changed_are_the_same_everywhere()
    {
        await using var h = await ServiceHarness.StartAsync("sqlite", postgres, ["--Sync:SchedulerEnabled=false"]);
        var admin = await h.AddUserAsync("root", admin: true);
        (await h.ConnectCanvasAsync(admin, token: h.Sandbox.Tokens.Teacher)).EnsureSuccessStatusCode();
        var run = (await h.SyncStoredAsync(admin.UserId))!;
        Assert.Equal(SyncStatus.Completed, run.Status);
        var (seconds, itemsRead, rowsChanged) =
            (Math.Round(run.Duration.TotalSeconds, 3), run.ItemsRead, RunFigures.RowsChanged(run.Counts.Values));
        Assert.True(itemsRead > 0 && rowsChanged > 0);

        // Each person is counted once, though the teacher's courses list many of them in several rosters.
        await using (var db = h.Database.Context())
            Assert.Equal((db.CanvasPeople.LongCount(), 0), (run.Counts["users"].Created, run.Counts["users"].Unchanged));

        var line = Assert.Single(h.Logs.Lines, l => l.Contains($"Sync run {run.RunId} of connection", StringComparison.Ordinal));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"in {seconds:0.0} s: {itemsRead} items read, {rowsChanged} rows changed;"), line, StringComparison.Ordinal);
        Assert.DoesNotContain("error", line, StringComparison.Ordinal);

        var view = await ServiceHarness.JsonOf(await admin.Http.GetAsync($"/api/v1/canvas/sync/{run.RunId}"));
        Assert.Equal((seconds, itemsRead, rowsChanged),
            (view.GetProperty("duration_seconds").GetDouble(), view.GetProperty("items_read").GetInt64(),
            view.GetProperty("rows_changed").GetInt64()));

        var record = (await ServiceHarness.JsonOf(await admin.Http.GetAsync("/api/v1/metrics/recent?limit=1"))).GetProperty("items")[0];
        Assert.Equal(seconds, record.GetProperty("duration_seconds").GetDouble());
        Assert.Equal(itemsRead, record.GetProperty("canvas").GetProperty("items").GetInt64());
        Assert.Equal(rowsChanged, record.GetProperty("items").EnumerateObject()
            .Sum(e => e.Value.GetProperty("created").GetInt64() + e.Value.GetProperty("updated").GetInt64() + e.Value.GetProperty("deleted")
                .GetInt64()));
        Assert.Equal(rowsChanged, record.GetProperty("rows_changed").GetInt64());

        var samples = PrometheusTests.Parse(await (await admin.Http.GetAsync("/metrics")).Content.ReadAsStringAsync());
        Assert.Equal(itemsRead, samples.Value("canvas_sync_items_read_total"));
        Assert.Equal(rowsChanged,
            samples.All("canvas_sync_items_total").Where(s => s.Labels["action"] is "created" or "updated" or "deleted").Sum(s => s.Value));
        Assert.Equal(seconds, samples.Value("canvas_sync_duration_seconds_sum", ("sync_type", "full")), 3);

        var page = await browser.NewPageAsync(h.BaseUrl);
        await DashboardSession.SignInAsync(page, admin.ApiKey);
        await page.GotoAsync("/history");
        var row = page.Locator($"tr[data-run='{run.RunId}']");
        await Expect(row.Locator("[data-field=items-read]")).ToHaveTextAsync(itemsRead.ToString(CultureInfo.InvariantCulture));
        await Expect(row.Locator("[data-field=rows-changed] summary")).ToContainTextAsync($"{rowsChanged} (");
        await Expect(row).ToContainTextAsync(Show.Duration(seconds));
        await page.GotoAsync("/monitoring");
        var recent = page.Locator($"tr[data-run='{run.RunId}']").First;
        await Expect(recent.Locator("[data-field=items-read]")).ToHaveTextAsync(itemsRead.ToString(CultureInfo.InvariantCulture));
        await Expect(recent.Locator("[data-field=rows-changed]")).ToHaveTextAsync(rowsChanged.ToString(CultureInfo.InvariantCulture));
        await Expect(recent).ToContainTextAsync(Show.Duration(seconds));
    }
}
