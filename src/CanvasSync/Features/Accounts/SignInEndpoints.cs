using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CanvasSync.Features.Accounts;

/// <summary>
/// Sign-out of the pages' cookie session (sign-in is the dashboard's /login page). The form carries an antiforgery
/// token, checked by UseAntiforgery.
/// </summary>
public static class SignInEndpoints
{
    public static IEndpointRouteBuilder MapSignOut(this IEndpointRouteBuilder app)
    {
        app.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            // Checked here: the antiforgery middleware leaves alone a POST that has no form body at all.
            if (!http.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(http))
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "sign out from the page's Sign out button");
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/login");
        }).DisableAntiforgery(); // validated above, where a POST without a form body is refused too
        return app;
    }
}
