using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CanvasSync.IntegrationTests.Dashboard;

/// <summary>The home page's cancel and retry buttons, and the setup page's disconnect (keeping, then purging, the data).</summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class SyncControlPageTests(PostgresServer postgres, Browser browser) : IClassFixture<Browser>
{
    [Fact]
    public async Task A_running_sync_is_cancelled_then_retried_to_completion()
    {
        await using var h = await ServiceHarness.StartAsync("sqlite", postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        var page = await browser.NewPageAsync(h.BaseUrl);
        await DashboardSession.SignInAsync(page, alice.ApiKey);

        h.Sandbox.Settings.LatencyMs = 1000; // slow enough to cancel mid-way
        await page.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#sync-bar')?.value > 0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel sync" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("is cancelled");
        var retry = page.GetByRole(AriaRole.Button, new() { Name = "Retry sync 1 (cancelled)" });
        await Expect(retry).ToBeVisibleAsync(new() { Timeout = 60_000 }); // once the run has stopped at a checkpoint
        await using (var db = h.Database.Context())
            Assert.Equal(CanvasSync.Features.SyncRuns.SyncStatus.Cancelled, (await db.SyncRuns.SingleAsync()).Status);

        h.Sandbox.Settings.LatencyMs = 0;
        await retry.ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("is running again as sync 2");
        await Expect(page.Locator("#sync-state")).ToHaveAttributeAsync("data-state", "up_to_date", new() { Timeout = 60_000 });
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Retry sync 1 (cancelled)" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Disconnect_keeps_the_data_or_purges_it()
    {
        await using var h = await ServiceHarness.StartAsync("sqlite", postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        await h.SyncStoredAsync(alice.UserId);
        var page = await browser.NewPageAsync(h.BaseUrl);
        await DashboardSession.SignInAsync(page, alice.ApiKey);

        await page.GotoAsync("/setup");
        await page.GetByRole(AriaRole.Button, new() { Name = "Disconnect" }).ClickAsync(); // "keep" is the default
        await Expect(page.Locator(".notice")).ToContainTextAsync("your synced data is kept");
        await Expect(page.Locator("#connection-status")).ToHaveTextAsync("disconnected");
        await Expect(page.Locator("#connect-heading")).ToHaveTextAsync("Reconnect Canvas");
        await page.GotoAsync("/courses");
        Assert.True(await page.Locator("#courses tbody tr").CountAsync() > 0); // still readable

        await page.GotoAsync("/setup");
        await page.GetByLabel("Access token").FillAsync(h.Sandbox.Tokens.Student);
        await page.GetByRole(AriaRole.Button, new() { Name = "Reconnect" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await page.GotoAsync("/setup");
        await page.GetByLabel("Delete it too").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Disconnect" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("every synced row are deleted");
        await Expect(page.Locator("#connect-heading")).ToHaveTextAsync("Connect Canvas");
        await using var db = h.Database.Context();
        Assert.False(await db.Courses.AnyAsync());
        Assert.False(await db.Connections.AnyAsync());
    }
}
