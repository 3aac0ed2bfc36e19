using Microsoft.Playwright;

namespace CanvasSync.IntegrationTests.Dashboard;

/// <summary>What the browser tests do on every page: sign in, and check a page for what every page must have.</summary>
internal static class DashboardSession
{
    public static async Task SignInAsync(IPage page, string apiKey)
    {
        await page.GotoAsync("/");
        Assert.EndsWith("/login?ReturnUrl=%2F", page.Url, StringComparison.Ordinal); // signed-out visitors are sent to sign in
        await page.GetByLabel("API key").FillAsync(apiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
    }

    /// <summary>
    /// Every visible control has a name a screen reader reads (a label, aria-label or text), and the page is no wider
    /// than the window (nothing to scroll sideways on a phone). Empty when all is well.
    /// </summary>
    public static async Task<string[]> ProblemsAsync(IPage page) => await page.EvaluateAsync<string[]>("""
        () => {
          const problems = [];
          for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button')) {
            const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim());
            if (!named) problems.push('unlabelled ' + el.outerHTML.slice(0, 80));
          }
          if (document.documentElement.scrollWidth > window.innerWidth + 1)
            problems.push(`page is ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
          return problems;
        }
        """);
}
