using System.Diagnostics;
using System.Text.RegularExpressions;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CanvasSync.IntegrationTests.Dashboard;

/// <summary>
/// The first hour, as a new user lives it: the README's demo command, then only the pages. The user signs in with
/// (sandbox) Canvas, never sees a key or an HTTP call, and ends on a dashboard that has synced their courses.
/// </summary>
[Collection(AlonePostgresCollection.Name)]
public sealed partial class FirstHourTests(Browser browser) : IClassFixture<Browser>
{
    [Fact]
    public async Task From_the_readmes_demo_command_to_a_synced_dashboard_signed_in_with_canvas()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"first-hour-{Guid.NewGuid():N}");
        // `dotnet run --project src/CanvasSync.Cli -- demo`, on free ports so tests can run side by side.
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "canvas-sync.dll"), "demo", "--urls", "http://127.0.0.1:0",
            "--sandbox-port", "0", "--dir", dir })
            info.ArgumentList.Add(a);
        info.Environment.Remove("CANVASSYNC_DB");
        using var demo = Process.Start(info)!;
        try
        {
            var terminal = new List<string>();
            string? dashboard = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (dashboard is null && await demo.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                terminal.Add(line);
                if (DashboardLine().Match(line) is { Success: true } m) dashboard = m.Groups[1].Value;
            }

            Assert.True(dashboard is not null, string.Join('\n', terminal));
            Assert.DoesNotContain(terminal, l => l.StartsWith("info:", StringComparison.Ordinal)
                || l.StartsWith("warn:", StringComparison.Ordinal));

            var page = await browser.NewPageAsync(new Uri(dashboard));
            await page.GotoAsync("/");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with Canvas (Sandbox Canvas)" }).ClickAsync();

            // Canvas's own page: the demo's student is offered first, so Authorize is all it takes.
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sandbox Canvas" })).ToBeVisibleAsync();
            await Browser.ScreenshotAsync(page, "first-hour-canvas-authorize");
            await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();

            // Back at CanvasSync: signed in, the first sync started, and the dashboard one (automatic) step away.
            await Expect(page.Locator("#oauth-success")).ToContainTextAsync("Your first sync has started");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/", new() { Timeout = 30_000 });
            await Expect(page.Locator("#last-run")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 90_000 });
            await Expect(page.Locator("#sync-state")).ToHaveAttributeAsync("data-state", "up_to_date");
            Assert.True(await page.Locator("#upcoming tbody tr").CountAsync() > 0);
            Assert.True(await page.Locator("#grades tbody tr").CountAsync() > 0);
            var text = await page.Locator("main").InnerTextAsync();
            foreach (var never in new[] { "/api/v1", "DELETE ", "POST ", "token", "csk_" })
                Assert.DoesNotContain(never, text, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(await DashboardSession.ProblemsAsync(page));
            await Browser.ScreenshotAsync(page, "first-hour-home");

            // The session had a key of its own, never shown; signing out revokes it, so sign-ins leave no live keys behind.
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login");
            await using var db = new SqliteConnection($"Data Source={Path.Combine(dir, "demo.db")};Pooling=False");
            await db.OpenAsync();
            await using var keys = db.CreateCommand();
            keys.CommandText = "SELECT COUNT(*), COUNT(k.revoked_at) FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.name LIKE 'canvas-%'";
            await using var counted = await keys.ExecuteReaderAsync();
            Assert.True(await counted.ReadAsync());
            Assert.Equal((1L, 1L), (counted.GetInt64(0), counted.GetInt64(1)));
        }
        finally
        {
            demo.Kill(entireProcessTree: true);
            await demo.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex(@"Dashboard\s+: (http://127\.0\.0\.1:\d+)/")]
    private static partial Regex DashboardLine();
}
