using System.Globalization;
using System.Security.Claims;
using CanvasSync.Data;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Accounts;

/// <summary>
/// Sign-out of the pages' cookie session (sign-in is the dashboard's /login page). The form carries an antiforgery
/// token, checked by UseAntiforgery. A session opened by Sign in with Canvas had a key of its own, which goes with it;
/// a key someone typed in is theirs to keep.
/// </summary>
internal static class SignInEndpoints
{
    public static IEndpointRouteBuilder MapSignOut(this IEndpointRouteBuilder app)
    {
        app.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery, CanvasSyncDbContext db, TimeProvider time) =>
        {
            // Checked here: the antiforgery middleware leaves alone a POST that has no form body at all.
            if (!http.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(http))
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request",
                    detail: "sign out from the page's Sign out button");
            if (http.User.HasClaim(CallerClaims.SessionKey, "true")
                && long.TryParse(http.User.FindFirstValue(CallerClaims.KeyId), CultureInfo.InvariantCulture, out var keyId))
            {
                var now = time.GetUtcNow().UtcDateTime;
                await db.ApiKeys.Where(k => k.Id == keyId && k.RevokedAt == null)
                    .ExecuteUpdateAsync(k => k.SetProperty(x => x.RevokedAt, now), http.RequestAborted);
            }

            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/login");
        }).DisableAntiforgery(); // validated above, where a POST without a form body is refused too
        return app;
    }
}
