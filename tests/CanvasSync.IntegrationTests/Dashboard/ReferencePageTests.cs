using CanvasSync.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace CanvasSync.IntegrationTests.Dashboard;

/// <summary>/reference in Chromium: our API, without the viewer's vendor buttons.</summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class ReferencePageTests(PostgresServer postgres, Browser browser) : IClassFixture<Browser>
{
    [Fact]
    public async Task The_reference_shows_the_api_and_none_of_the_viewers_vendor_buttons()
    {
        await using var h = await ServiceHarness.StartAsync("sqlite", postgres, ["--Sync:SchedulerEnabled=false"]);
        var page = await browser.NewPageAsync(h.BaseUrl);
        await page.GotoAsync("/reference");
        await Expect(page.GetByText("CanvasSync API").First).ToBeVisibleAsync();
        await Expect(page.GetByText("/api/v1/canvas/connect").First).ToBeAttachedAsync();
        var text = await page.Locator("body").InnerTextAsync();
        // The viewer's small "Powered by" credit stays: it is an attribution, not a feature offered to our users.
        foreach (var vendor in new[] { "Ask AI", "Generate SDK", "Deploy", "MCP" })
            Assert.False(text.Contains(vendor,
                StringComparison.OrdinalIgnoreCase), $"the reference shows \"{vendor}\": {text[Math.Max(0, text.IndexOf(vendor, StringComparison.OrdinalIgnoreCase) - 80)..][..Math.Min(200, text.Length - Math.Max(0, text.IndexOf(vendor, StringComparison.OrdinalIgnoreCase) - 80))]}");
        await Browser.ScreenshotAsync(page, "reference");
    }
}
