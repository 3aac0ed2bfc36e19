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
        app.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/login");
        }).WithMetadata(new RequireAntiforgeryTokenAttribute()); // no form fields to bind, so ask for the check explicitly
        return app;
    }
}
