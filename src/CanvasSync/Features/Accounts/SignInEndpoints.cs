using System.Text.Encodings.Web;
using CanvasSync.Data;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace CanvasSync.Features.Accounts;

/// <summary>
/// The pages' sign-in: a form that takes an API key and opens a cookie session (HttpOnly, SameSite=Strict), and
/// sign-out. Both forms carry an antiforgery token, checked by UseAntiforgery.
/// </summary>
public static class SignInEndpoints
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        // Rate-limited like the API (by address, as nobody is signed in yet): keys are not guessable, but a form
        // that checks them should not serve as a load generator either.
        app = app.MapGroup("").RequireRateLimiting("per-user");
        app.MapGet("/login", (HttpContext http, IAntiforgery antiforgery) => Page(http, antiforgery, null, StatusCodes.Status200OK)).AllowAnonymous();

        app.MapPost("/login", async ([FromForm(Name = "api_key")] string? apiKey, [FromForm(Name = "return_url")] string? returnUrl,
            HttpContext http, IAntiforgery antiforgery, CanvasSyncDbContext db) =>
        {
            var found = await UserDirectory.AuthenticateAsync(db, apiKey?.Trim(), http.RequestAborted);
            if (found is null) return Page(http, antiforgery, "That API key is not valid, or it has been revoked.", StatusCodes.Status401Unauthorized);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, CallerClaims.Principal(found, CookieAuthenticationDefaults.AuthenticationScheme));
            // Only a local path: an open redirect would let a link send a signed-in user anywhere.
            return Results.LocalRedirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/");
        }).AllowAnonymous();

        app.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/login");
        }).WithMetadata(new RequireAntiforgeryTokenAttribute()); // no form fields to bind, so ask for the check explicitly
        return app;
    }

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var html = HtmlEncoder.Default;
        var returnUrl = http.Request.Query["ReturnUrl"].ToString();
        return Results.Content($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Sign in · CanvasSync</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"></head>
            <body>
            <main>
              <h1>CanvasSync</h1>
              <form method="post" action="/login">
                <input type="hidden" name="{html.Encode(tokens.FormFieldName)}" value="{html.Encode(tokens.RequestToken ?? "")}">
                <input type="hidden" name="return_url" value="{html.Encode(returnUrl)}">
                <label for="api_key">API key</label>
                <input id="api_key" name="api_key" type="password" autocomplete="off" required>
                <button type="submit">Sign in</button>
              </form>
              {(error is null ? "" : $"<p role=\"alert\">{html.Encode(error)}</p>")}
              <p>No key yet? An operator runs <code>canvas-sync users add NAME</code>.</p>
            </main>
            </body></html>
            """, "text/html; charset=utf-8", statusCode: status);
    }
}
