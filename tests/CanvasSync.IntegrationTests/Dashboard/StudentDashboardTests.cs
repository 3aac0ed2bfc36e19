using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Features.Analysis;
using CanvasSync.Features.Connections;
using CanvasSync.IntegrationTests.Accounts;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CanvasSync.IntegrationTests.Dashboard;

/// <summary>
/// A student's whole path through the dashboard in Chromium, on both databases: sign in, connect Canvas (each refusal
/// told plainly), sync with live progress to 100%, upcoming assignments and grades as the API has them, courses with
/// Canvas's script-bearing descriptions made harmless, history and a preview, then a revoked token seen as needs
/// reauth and fixed by reconnecting.
/// </summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class StudentDashboardTests(PostgresServer postgres, Browser browser) : IClassFixture<Browser>
{
    /// <summary>
    /// What the progress section shows through a sync, written to sessionStorage at every change so that it survives
    /// the reload that follows the sync. Test-side only: the dashboard's own script knows nothing of it.
    /// </summary>
    private const string ProgressRecorder = """
        document.addEventListener('DOMContentLoaded', () => {
          const section = document.getElementById('sync-progress');
          if (!section) return;
          const record = () => {
            const seen = JSON.parse(sessionStorage.getItem('progress') || '[]');
            seen.push({ value: section.querySelector('progress').value,
                        milestones: [...section.querySelectorAll('.milestones li')].map(li => li.textContent),
                        remaining: section.querySelector('[data-field=remaining]').textContent,
                        status: section.dataset.status || '' });
            sessionStorage.setItem('progress', JSON.stringify(seen));
          };
          new MutationObserver(record).observe(section, { subtree: true, childList: true, characterData: true, attributes: true });
        });
        """;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_student_connects_syncs_with_live_progress_and_sees_assignments_grades_and_a_dead_token(string provider)
    {
        await using var h = await ServiceHarness.StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        var page = await browser.NewPageAsync(h.BaseUrl, timeZone: "America/Denver");
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        await page.Context.AddInitScriptAsync(ProgressRecorder);
        var refusedByCsp = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) refusedByCsp.Add(message.Text);
        };
        var problems = new List<string>();
        async Task CheckAsync(string name)
        {
            problems.AddRange((await DashboardSession.ProblemsAsync(page)).Select(p => $"{name}: {p}"));
            if (provider == "sqlite") await Browser.ScreenshotAsync(page, name);
        }

        await Browser.ScreenshotAsync(page, "login");
        await DashboardSession.SignInAsync(page, alice.ApiKey);
        await Expect(page.Locator("main")).ToContainTextAsync("No Canvas connected yet");

        // Setup: each refusal is told apart, on the field at fault, and nothing is saved.
        await page.GetByRole(AriaRole.Link, new() { Name = "Canvas setup" }).ClickAsync();
        await using var notCanvas = await ConnectTests.HtmlServerAsync();
        using (var control = new HttpClient { BaseAddress = new Uri(h.Sandbox.BaseUrl) })
        {
            (await control.PostAsJsonAsync("/_sandbox/tokens/expire", new { token = h.Sandbox.Tokens.Teacher })).EnsureSuccessStatusCode();
            (await control.PostAsJsonAsync("/_sandbox/tokens/revoke", new { token = h.Sandbox.Tokens.Admin })).EnsureSuccessStatusCode();
        }
        (string Url, string Token, string Field, string Says)[] refusals =
        [
            (h.Sandbox.BaseUrl, "7~" + new string('x', 64), "Access token", "Canvas does not accept this token."),
            (h.Sandbox.BaseUrl, h.Sandbox.Tokens.Teacher, "Access token", "This token has expired."),
            (h.Sandbox.BaseUrl, h.Sandbox.Tokens.Admin, "Access token", "This token has been revoked."),
            ("http://127.0.0.1:1", h.Sandbox.Tokens.Student, "Canvas address", "That Canvas could not be reached."),
            (notCanvas.Urls.First(), h.Sandbox.Tokens.Student, "Canvas address", "That address is not a Canvas server."),
        ];
        foreach (var (url, token, field, says) in refusals)
        {
            await page.GetByLabel("Canvas address").FillAsync(url);
            await page.GetByLabel("Access token").FillAsync(token);
            await page.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
            await Expect(page.Locator("#setup-problem")).ToContainTextAsync(says);
            await Expect(page.GetByLabel(field)).ToHaveAttributeAsync("aria-invalid", "true");
            if (says.StartsWith("Canvas does not", StringComparison.Ordinal)) await CheckAsync("setup-refused");
        }

        await page.GetByLabel("Canvas address").FillAsync(h.Sandbox.BaseUrl);
        await page.GetByLabel("Access token").FillAsync(h.Sandbox.Tokens.Student);
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
        await Expect(page.Locator("#setup-success")).ToContainTextAsync("accepts this token for");
        await using (var db = h.Database.Context()) Assert.False(await db.Connections.AnyAsync()); // a test saves nothing
        Assert.Equal("", await page.GetByLabel("Access token").InputValueAsync()); // a token is never written back into the page
        await page.GetByLabel("Access token").FillAsync(h.Sandbox.Tokens.Student);
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await Expect(page.Locator(".notice")).ToContainTextAsync("Connected to");
        await Expect(page.Locator("#sync-state")).ToHaveAttributeAsync("data-state", "never_synced");

        // Sync now: the bar moves live over server-sent events and ends at 100%, then the page shows the fresh state.
        h.Sandbox.Settings.LatencyMs = 150; // a sync of a few seconds, long enough to watch
        await page.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();
        await page.Locator("#sync-progress").WaitForAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#sync-bar').value > 0");
        await CheckAsync("home-syncing");
        await Expect(page.Locator("#sync-progress")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 90_000 });
        await Expect(page.Locator("#sync-state")).ToHaveAttributeAsync("data-state", "up_to_date", new() { Timeout = 30_000 });
        h.Sandbox.Settings.LatencyMs = 0;
        var seen = JsonDocument.Parse(await page.EvaluateAsync<string>("() => sessionStorage.getItem('progress')"))
            .RootElement.EnumerateArray().ToList();
        var values = seen.Select(s => s.GetProperty("value").GetDouble()).ToList();
        Assert.Contains(values, v => v is > 0 and < 100); // seen moving, not only at the end
        Assert.Equal(100, values[^1]);
        Assert.Equal(["25% done", "50% done", "75% done"], seen[^1].GetProperty("milestones").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains(seen, s => s.GetProperty("remaining").GetString() is { } r && r.EndsWith(" s", StringComparison.Ordinal)
            && r != "0 s");
        Assert.Equal("completed", seen[^1].GetProperty("status").GetString());

        // Upcoming assignments: the next 14 days as the API lists them, done or not, due times in the viewer's zone.
        var before = DateTime.UtcNow;
        await page.ReloadAsync();
        var after = DateTime.UtcNow;
        var shown = await page.Locator("#upcoming tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.assignment, r.cells[0].textContent.trim(), r.cells[3].textContent.trim()])");
        var widest = await AssignmentsAsync(alice, before.AddMinutes(-1), after.AddDays(14).AddMinutes(1));
        var narrowest = await AssignmentsAsync(alice, after.AddMinutes(1), before.AddDays(14).AddMinutes(-1));
        Assert.NotEmpty(narrowest);
        var shownIds = shown.Select(r => long.Parse(r[0], CultureInfo.InvariantCulture)).ToHashSet();
        Assert.Subset(widest.Keys.ToHashSet(), shownIds);
        Assert.Superset(narrowest.Keys.ToHashSet(), shownIds);
        var denver = TimeZoneInfo.FindSystemTimeZoneById("America/Denver");
        foreach (var row in shown)
        {
            var a = widest[long.Parse(row[0], CultureInfo.InvariantCulture)];
            Assert.Equal(a.Completed ? "Done" : a.Missing ? "Missing" : "Not done", row[2]);
            var local = TimeZoneInfo.ConvertTimeFromUtc(a.DueAt, denver);
            Assert.Contains(local.ToString("h:mm tt", CultureInfo.GetCultureInfo("en-US")),
                row[1].Replace('\u202f', ' ').Replace('\u00a0', ' '), StringComparison.Ordinal);
        }

        // Grades per course, as the API has them.
        var grades = (await ServiceHarness.JsonOf(await alice.Http.GetAsync("/api/v1/canvas/grades"))).EnumerateArray()
            .ToDictionary(g => g.GetProperty("course_id").GetInt64(), g => g.GetProperty("grades").GetProperty("current_score"));
        var gradeRows = await page.Locator("#grades tbody tr")
            .EvaluateAllAsync<string[][]>("rows => rows.map(r => [r.dataset.course, r.cells[1].textContent.trim()])");
        Assert.Equal(grades.Keys.Order(), gradeRows.Select(r => long.Parse(r[0], CultureInfo.InvariantCulture)).Order());
        foreach (var row in gradeRows)
        {
            var score = grades[long.Parse(row[0], CultureInfo.InvariantCulture)];
            Assert.Equal(score.ValueKind == JsonValueKind.Null ? "—"
                : score.GetDouble().ToString("0.##", CultureInfo.InvariantCulture) + "%", row[1]);
        }

        // Beside the next 14 days, what a student needs next, as canvas-sync analyze lists it: work overdue (Canvas's
        // missing flag shown) and planner to-dos. The card says how the last sync ended, in the history's word.
        AnalysisReport next;
        await using (var db = h.Database.Context())
        {
            var c = await db.Connections.SingleAsync();
            next = await StudentAnalysis.AnalyzeAsync(db, new OwnConnection(c.Id, c.CanvasUserId, c.BaseUrl), DateTime.UtcNow, 14, 1,
                CancellationToken.None);
        }

        Assert.Contains(next.Overdue, i => i.Missing);
        Assert.Equal(next.Overdue.Select(i => i.TaskId).Order(),
            (await page.Locator("#overdue tbody tr").EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.task))")).Order());
        await Expect(page.Locator("#overdue .badge.bad")).ToHaveCountAsync(next.Overdue.Count(i => i.Missing));
        var toDos = next.Upcoming.Where(i => i.Source != "assignment").Select(i => i.TaskId).Order().ToList();
        Assert.Equal(toDos, (await page.Locator("#todos li")
            .EvaluateAllAsync<long[]>("items => items.map(i => Number(i.dataset.task))")).Order());
        await Expect(page.Locator("#last-run")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(page.Locator("#last-run .badge")).ToHaveTextAsync("completed");
        await CheckAsync("home");

        // Courses, and every course whose descriptions carry a script: shown, made harmless.
        await page.GetByRole(AriaRole.Link, new() { Name = "Courses", Exact = true }).ClickAsync();
        var courseList = (await ServiceHarness.JsonOf(await alice.Http.GetAsync("/api/v1/canvas/courses"))).EnumerateArray().ToList();
        await Expect(page.Locator("#courses tbody tr")).ToHaveCountAsync(courseList.Count);
        // A course Canvas closed by its dates gives no name: the page says what it is rather than show a bare number.
        var closed = courseList.Where(c => c.GetProperty("access_restricted_by_date").GetBoolean())
            .Select(c => c.GetProperty("id").GetInt64()).ToList();
        Assert.NotEmpty(closed);
        foreach (var id in closed) await Expect(page.Locator($"#courses a[href='/courses/{id}']")).ToContainTextAsync("closed");
        await CheckAsync("courses");
        List<long> scripted;
        await using (var db = h.Database.Context())
            scripted = await db.Assignments.Where(a => a.RawJson.Contains("alert('xss from") && a.DeletedAt == null)
                .Select(a => a.CourseCanvasId).Distinct().ToListAsync();
        Assert.NotEmpty(scripted);
        foreach (var course in scripted)
        {
            await page.GotoAsync($"/courses/{course}");
            await page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)");
            await Expect(page.Locator(".description").Filter(new() { HasText = "Imported from an old course." }).First).ToBeVisibleAsync();
            Assert.Equal(0, await page.Locator("main script, main iframe, main [onclick], main [onerror]").CountAsync());
            if (course == scripted[0]) await CheckAsync("course-detail");
        }

        // History: the sync with its counts; a preview (dry run) reports what would change.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sync history" }).ClickAsync();
        await Expect(page.Locator("#runs tbody tr[data-status=completed]")).ToHaveCountAsync(1);
        await page.GetByLabel("Kind of sync").SelectOptionAsync("full");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("Preview");
        for (var i = 0; i < 120 && !await page.Locator("#preview-result table").IsVisibleAsync(); i++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }
        await Expect(page.Locator("#preview-result h3")).ToContainTextAsync("completed");
        await Expect(page.Locator("#preview-result tr[data-kind=assignments]")).ToHaveCountAsync(1);
        await CheckAsync("history");

        // The token dies in Canvas: the next sync ends in needs reauth, shown with the way to reconnect.
        using (var control = new HttpClient { BaseAddress = new Uri(h.Sandbox.BaseUrl) })
            (await control.PostAsJsonAsync("/_sandbox/tokens/revoke", new { token = h.Sandbox.Tokens.Student })).EnsureSuccessStatusCode();
        await page.GetByRole(AriaRole.Link, new() { Name = "Home" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();
        await Expect(page.Locator("#sync-state")).ToHaveAttributeAsync("data-state", "needs_reauth", new() { Timeout = 60_000 });
        await Expect(page.Locator(".warning")).ToContainTextAsync("Canvas no longer accepts the stored token");
        await CheckAsync("home-needs-reauth");
        await page.GetByRole(AriaRole.Link, new() { Name = "Reconnect Canvas" }).ClickAsync();
        await Expect(page.Locator("#connect-heading")).ToHaveTextAsync("Reconnect Canvas");
        await Expect(page.Locator("#connection-status")).ToHaveTextAsync("needs reauth");
        using (var control = new HttpClient { BaseAddress = new Uri(h.Sandbox.BaseUrl) })
            (await control.PostAsJsonAsync("/_sandbox/tokens/restore", new { token = h.Sandbox.Tokens.Student })).EnsureSuccessStatusCode();
        await page.GetByLabel("Access token").FillAsync(h.Sandbox.Tokens.Student);
        await page.GetByRole(AriaRole.Button, new() { Name = "Reconnect" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await Expect(page.Locator("#sync-state")).Not.ToHaveAttributeAsync("data-state", "needs_reauth");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sync now" })).ToBeVisibleAsync();

        Assert.Empty(dialogs); // no script from Canvas ever ran
        Assert.Empty(refusedByCsp); // nor did the page try anything its CSP refuses
        Assert.Empty(problems);
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains(h.Sandbox.Tokens.Student, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Where_server_sent_events_are_refused_the_page_polls_the_sync_to_its_end()
    {
        await using var h = await ServiceHarness.StartAsync("sqlite", postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        var page = await browser.NewPageAsync(h.BaseUrl);
        await page.Context.AddInitScriptAsync(ProgressRecorder);
        // As a proxy that does not pass event streams would: EventSource gives up on a 503, and the page polls the run.
        await page.RouteAsync("**/events", route => route.FulfillAsync(new() { Status = 503, Body = "no event streams here" }));
        var polls = 0;
        page.Request += (_, request) =>
        {
            if (System.Text.RegularExpressions.Regex.IsMatch(new Uri(request.Url).AbsolutePath, @"^/api/v1/canvas/sync/\d+$"))
                Interlocked.Increment(ref polls);
        };
        await DashboardSession.SignInAsync(page, alice.ApiKey);

        h.Sandbox.Settings.LatencyMs = 150;
        await page.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();
        await Expect(page.Locator("#sync-progress")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 90_000 });
        await Expect(page.Locator("#sync-state")).ToHaveAttributeAsync("data-state", "up_to_date", new() { Timeout = 30_000 });
        Assert.True(polls > 0);
        var seen = JsonDocument.Parse(await page.EvaluateAsync<string>("() => sessionStorage.getItem('progress')"))
            .RootElement.EnumerateArray().ToList();
        Assert.Equal(100, seen[^1].GetProperty("value").GetDouble());
        Assert.Equal(["25% done", "50% done", "75% done"], seen[^1].GetProperty("milestones").EnumerateArray().Select(m => m.GetString()));
    }

    private sealed record Upcoming(DateTime DueAt, bool Completed, bool Missing);

    private static async Task<Dictionary<long, Upcoming>> AssignmentsAsync(Caller caller, DateTime from, DateTime to)
    {
        var url = FormattableString.Invariant($"/api/v1/canvas/assignments?include_completed=true&limit=200&due_after={from:O}&due_before={to:O}");
        var page = await ServiceHarness.JsonOf(await caller.Http.GetAsync(url));
        return page.GetProperty("assignments").EnumerateArray().ToDictionary(a => a.GetProperty("id").GetInt64(), a => new Upcoming(
            a.GetProperty("due_at").GetDateTime().ToUniversalTime(), a.GetProperty("completed").GetBoolean(),
            a.GetProperty("submission") is { ValueKind: JsonValueKind.Object } s && s.GetProperty("missing").GetBoolean()));
    }
}
