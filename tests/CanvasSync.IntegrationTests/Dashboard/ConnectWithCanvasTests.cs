using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static CanvasSync.IntegrationTests.Infrastructure.OAuthSteps;
using static Microsoft.Playwright.Assertions;

namespace CanvasSync.IntegrationTests.Dashboard;

/// <summary>The whole "Connect with Canvas" in Chromium: setup, the sandbox Canvas's authorize page, back, sync, disconnect.</summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class ConnectWithCanvasTests(PostgresServer postgres, Browser browser) : IClassFixture<Browser>
{
    [Fact]
    public async Task A_user_connects_with_Canvas_in_the_browser_syncs_and_disconnects()
    {
        await using var h = await ServiceHarness.StartAsync("sqlite", postgres);
        await AddSandboxInstanceAsync(h);
        h.Sandbox.Settings.AccessTokenSeconds = 1;
        var alice = await h.AddUserAsync("alice");
        var student = await CanvasUserIdAsync(h.Sandbox, h.Sandbox.Tokens.Student);
        var page = await browser.NewPageAsync(h.BaseUrl);
        await DashboardSession.SignInAsync(page, alice.ApiKey);

        await page.GotoAsync("/setup");
        Assert.Empty(await DashboardSession.ProblemsAsync(page));
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect with Canvas (Sandbox Canvas)" }).ClickAsync();
        // Canvas's page, on Canvas's origin: sign in as the student and authorize.
        await page.WaitForURLAsync(url => url.StartsWith(h.Sandbox.BaseUrl + "/login/oauth2/auth", StringComparison.Ordinal));
        Assert.Contains("code_challenge=", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Sign in as").SelectOptionAsync(student.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/oauth/callback");
        var callback = page.Url;
        await Expect(page.Locator("#oauth-success")).ToContainTextAsync("Connected to " + h.Sandbox.BaseUrl);
        await Browser.ScreenshotAsync(page, "oauth-connected");

        // The same redirect again (a replay, say from history): the signed-in user is told the sign-in was used.
        await page.GotoAsync(callback);
        await Expect(page.Locator("#oauth-problem")).ToContainTextAsync("This sign-in was already used.");

        await page.GotoAsync("/");
        h.Sandbox.Settings.LatencyMs = 400; // the sync outlives its 1 s access tokens
        await page.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();
        await Expect(page.Locator("#sync-state")).ToHaveAttributeAsync("data-state", "up_to_date", new() { Timeout = 90_000 });
        h.Sandbox.Settings.LatencyMs = 0;
        Assert.True((await GrantsAsync(h.Sandbox)).GetProperty("refresh_requests").GetInt32() >= 1);

        await page.GotoAsync("/setup");
        await Expect(page.Locator("#auth-method")).ToContainTextAsync("Connect with Canvas");
        await Expect(page.Locator("#oauth-heading")).ToHaveTextAsync("Authorize again with Canvas");
        await page.GetByRole(AriaRole.Button, new() { Name = "Disconnect" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("Canvas has revoked CanvasSync's access.");
        Assert.True((await GrantsAsync(h.Sandbox)).GetProperty("grants")[0].GetProperty("revoked").GetBoolean());
        await using (var db = h.Database.Context())
            Assert.Null((await db.Connections.SingleAsync()).EncryptedRefreshToken);

        // Reconnecting as another Canvas person than the one whose data was kept: the page says what to do with its own
        // buttons, never with an HTTP call the person never makes.
        var teacher = await CanvasUserIdAsync(h.Sandbox, h.Sandbox.Tokens.Teacher);
        await page.GetByRole(AriaRole.Button, new() { Name = "with Canvas (Sandbox Canvas)" }).ClickAsync();
        await page.GetByLabel("Sign in as").SelectOptionAsync(teacher.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();
        await Expect(page.Locator("#oauth-problem")).ToContainTextAsync("You signed in to Canvas as another person.");
        await Expect(page.Locator("#oauth-problem")).ToContainTextAsync("choose Disconnect with \"Delete it too\"");
        Assert.DoesNotContain("/api/", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await h.AssertNowhereAsync(await SecretsAsync(h.Sandbox));
    }
}
