using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CanvasSync.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard on a phone-sized screen (nothing wider than the window, every control labelled, the menu reachable)
/// and with only a keyboard (sign in, move through the menu, start a sync).
/// </summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class PhoneAndKeyboardTests(PostgresServer postgres, Browser browser) : IClassFixture<Browser>
{
    [Fact]
    public async Task Every_page_fits_a_phone_and_labels_every_control()
    {
        await using var h = await ServiceHarness.StartAsync("sqlite", postgres);
        var alice = await h.AddUserAsync("alice", admin: true); // an admin, to see the monitoring page too
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        await h.SyncStoredAsync(alice.UserId);
        var course = (await ServiceHarness.JsonOf(await alice.Http.GetAsync("/api/v1/canvas/courses")))[0].GetProperty("id").GetInt64();

        var page = await browser.NewPageAsync(h.BaseUrl, width: 390, height: 844);
        await Browser.ScreenshotAsync(page, "phone-login");
        await DashboardSession.SignInAsync(page, alice.ApiKey);
        foreach (var (path, name) in new[] { ("/", "home"), ("/courses", "courses"), ($"/courses/{course}", "course-detail"),
            ("/history", "history"),
                     ("/setup", "setup"), ("/monitoring", "monitoring") })
        {
            await page.GotoAsync(path);
            await page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)");
            Assert.Empty(await DashboardSession.ProblemsAsync(page));
            foreach (var link in new[] { "Home", "Courses", "Sync history", "Canvas setup", "Monitoring" })
                await Expect(page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = link, Exact = true }))
                    .ToBeInViewportAsync();
            await Browser.ScreenshotAsync(page, "phone-" + name);
        }
    }

    [Fact]
    public async Task Sign_in_moving_around_and_starting_a_sync_work_with_the_keyboard_alone()
    {
        await using var h = await ServiceHarness.StartAsync("sqlite", postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        var page = await browser.NewPageAsync(h.BaseUrl);
        await page.GotoAsync("/login");

        // The first Tab reaches the skip link, which is shown when focused; the next ones the key field.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator(".skip")).ToBeFocusedAsync();
        await Expect(page.Locator(".skip")).ToBeInViewportAsync();
        await TabUntilAsync(page, "#api_key");
        await page.Keyboard.TypeAsync(alice.ApiKey);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");

        // The focus ring is visible (an outline), and Enter on a focused link or button acts.
        await TabUntilAsync(page, "#sync-now");
        Assert.NotEqual("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#sync-state")).ToHaveAttributeAsync("data-state", "up_to_date", new() { Timeout = 60_000 });
        await TabUntilAsync(page, "nav a[href='/courses']");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/courses");
        await Expect(page.Locator("#courses tbody tr").First).ToBeVisibleAsync();
    }

    /// <summary>Presses Tab until the element is focused (at most 40 times).</summary>
    private static async Task TabUntilAsync(IPage page, string selector)
    {
        for (var i = 0; i < 40; i++)
        {
            if (await page.Locator(selector).EvaluateAsync<bool>("el => el === document.activeElement")) return;
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"Tab never reached {selector}");
    }
}
