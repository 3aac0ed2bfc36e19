using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.IntegrationTests.Monitoring;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CanvasSync.IntegrationTests.Dashboard;

/// <summary>
/// The teacher's course page (hand-in counts, the roster with grades, groups) checked against the API, and the admins'
/// monitoring page (cards, SVG charts, recent and failed runs) checked against the metrics API, in Chromium.
/// </summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class TeacherAndAdminDashboardTests(PostgresServer postgres, Browser browser) : IClassFixture<Browser>
{
    [Fact]
    public async Task A_teacher_sees_hand_in_counts_the_roster_with_grades_and_groups()
    {
        await using var h = await ServiceHarness.StartAsync("sqlite", postgres);
        var ana = await h.AddUserAsync("ana");
        (await h.ConnectCanvasAsync(ana, token: h.Sandbox.Tokens.Teacher)).EnsureSuccessStatusCode();
        await h.SyncStoredAsync(ana.UserId);
        var courses = (await ServiceHarness.JsonOf(await ana.Http.GetAsync("/api/v1/canvas/courses"))).EnumerateArray().ToList();
        var taught = courses.First(c => c.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "teacher")).GetProperty("id")
            .GetInt64();

        var page = await browser.NewPageAsync(h.BaseUrl);
        await DashboardSession.SignInAsync(page, ana.ApiKey);
        await page.GotoAsync($"/courses/{taught}");

        // The roster: everyone the API lists, with the grades Canvas showed the teacher.
        var roster = (await ServiceHarness.JsonOf(await ana.Http.GetAsync($"/api/v1/canvas/courses/{taught}/enrollments"))).EnumerateArray()
            .ToList();
        await Expect(page.Locator("#roster tbody tr")).ToHaveCountAsync(roster.Count);
        var graded = roster.First(e => e.GetProperty("grades") is { ValueKind: JsonValueKind.Object } g
            && g.GetProperty("current_score").ValueKind == JsonValueKind.Number);
        var row = page.Locator($"#roster tr[data-user='{graded.GetProperty("user_id").GetInt64()}']").First;
        await Expect(row.Locator("td").Nth(3))
            .ToHaveTextAsync(graded.GetProperty("grades").GetProperty("current_score").GetDouble()
            .ToString("0.##", CultureInfo.InvariantCulture) + "%");

        // Each assignment's hand-ins: submitted (or graded, or pending review) and graded, as the API's submissions say.
        var assignmentRows = await page.Locator("#assignments > tbody > tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.assignment, r.querySelector('[data-field=handins]').textContent.trim()])");
        Assert.NotEmpty(assignmentRows);
        foreach (var (id, text) in assignmentRows.Take(5).Select(r => (r[0], r[1])))
        {
            var subs = (await ServiceHarness.JsonOf(await ana.Http.GetAsync($"/api/v1/canvas/submissions?assignment_id={id}&limit=200")))
                .GetProperty("items").EnumerateArray().Select(s => s.GetProperty("workflow_state").GetString()).ToList();
            Assert.Equal($"{subs.Count(s => s is "submitted" or "graded" or "pending_review")} submitted, {subs.Count(s => s == "graded")} graded", text);
        }

        // Groups with their members, as the API has them.
        var groups = (await ServiceHarness.JsonOf(await ana.Http.GetAsync($"/api/v1/canvas/courses/{taught}/groups"))).EnumerateArray()
            .ToList();
        await Expect(page.Locator("details.group")).ToHaveCountAsync(groups.Count);
        foreach (var g in groups)
            await Expect(page.Locator($"details.group[data-group='{g.GetProperty("id").GetInt64()}'] li"))
                .ToHaveCountAsync(g.GetProperty("members").GetArrayLength());
        await page.EvaluateAsync("() => document.querySelectorAll('details.group').forEach(d => d.open = true)");
        Assert.Empty(await DashboardSession.ProblemsAsync(page));
        await Browser.ScreenshotAsync(page, "course-detail-teacher");
    }

    [Fact]
    public async Task An_admin_sees_the_monitoring_cards_charts_and_failures_and_a_user_is_kept_out()
    {
        await using var h = await ServiceHarness.StartAsync("sqlite", postgres, MonitoringScenario.FastFailure);
        var s = await MonitoringScenario.RunAsync(h);

        var page = await browser.NewPageAsync(h.BaseUrl);
        await DashboardSession.SignInAsync(page, s.Admin.ApiKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Monitoring" }).ClickAsync();

        var summary = await ServiceHarness.JsonOf(await s.Admin.Http.GetAsync("/api/v1/metrics/summary?days=14"));
        await Expect(page.Locator("[data-figure=total]"))
            .ToHaveTextAsync(summary.GetProperty("total_syncs").GetInt32().ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("[data-figure=failed]"))
            .ToHaveTextAsync(summary.GetProperty("failed").GetInt32().ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("[data-figure=success-rate]")).ToHaveTextAsync(
            (summary.GetProperty("success_rate").GetDouble() * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%");

        // Charts: one bar group per day, today's bars as tall as its succeeded and failed runs, and the duration lines.
        await Expect(page.Locator("#chart-syncs g.day")).ToHaveCountAsync(14);
        var today = page.Locator("#chart-syncs g.day").Last;
        Assert.Contains("2 succeeded, 2 failed", await today.Locator("title").TextContentAsync(), StringComparison.Ordinal);
        foreach (var bar in new[] { "rect.first", "rect.second" })
            Assert.True((await today.Locator(bar).BoundingBoxAsync())!.Height > 10, bar);
        await Expect(page.Locator("#chart-durations circle.point.first")).ToHaveCountAsync(1); // only today had runs that took time
        Assert.True((await page.Locator("#chart-syncs").BoundingBoxAsync())!.Width > 200);

        // Recent and failed runs, as the metrics API lists them.
        var failed = (await ServiceHarness.JsonOf(await s.Admin.Http.GetAsync("/api/v1/metrics/failed?days=14"))).GetProperty("items")
            .EnumerateArray()
            .Select(r => r.GetProperty("run_id").GetInt64().ToString(CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(failed, await page.Locator("#failed-runs tbody tr")
            .EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)"));
        await Expect(page.Locator("#recent-runs tbody tr")).ToHaveCountAsync(4);
        await Expect(page.Locator("#drift-none")).ToContainTextAsync("No reconcile ran in the period.");
        Assert.Empty(await DashboardSession.ProblemsAsync(page));
        await Browser.ScreenshotAsync(page, "monitoring");

        // A moderator flag in alice's group changes no group's JSON: her reconcile finds it, and the page lists it.
        using (var control = new HttpClient())
        {
            var membership = SyncHarness.Truth(await MirrorTruth.TruthAsync(control, h.Sandbox, h.Sandbox.Tokens.Student),
                "group_memberships").Values
                .Select(m => System.Text.Json.JsonDocument.Parse(m).RootElement)
                    .First(m => m.GetProperty("workflow_state").GetString() == "accepted");
            using var flipped = await control.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/memberships/{membership.GetProperty("id").GetInt64()}",
                new { moderator = !membership.GetProperty("moderator").GetBoolean() });
            flipped.EnsureSuccessStatusCode();
        }

        var reconcile = await h.SyncStoredAsync(s.Alice.UserId, CanvasSync.Features.SyncRuns.SyncType.Reconcile);
        await page.ReloadAsync();
        var drift = page.Locator("#drift tbody tr");
        await Expect(drift).ToHaveCountAsync(1);
        await Expect(drift.Locator("td"))
            .ToHaveTextAsync(["group_memberships", "moderator", "1", "1", reconcile!.RunId.ToString(CultureInfo.InvariantCulture),
            reconcile.Drift[0].ExampleCanvasId!.Value.ToString(CultureInfo.InvariantCulture)]);

        // A user has no Monitoring link, and the page itself is a plain 403.
        var user = await browser.NewPageAsync(h.BaseUrl);
        await DashboardSession.SignInAsync(user, s.Alice.ApiKey);
        await Expect(user.GetByRole(AriaRole.Link, new() { Name = "Monitoring" })).ToHaveCountAsync(0);
        var denied = await user.GotoAsync("/monitoring");
        Assert.Equal(403, denied!.Status);
        await Expect(user.Locator("h1")).ToHaveTextAsync("This page is for admins");
    }
}
