using CanvasSync.Security;
using Microsoft.AspNetCore.Http;

namespace CanvasSync.Features.OAuth;

/// <summary>
/// The cookie that ties Canvas's redirect back to the browser that started "Connect with Canvas". SameSite=Lax, unlike
/// the session cookie (Strict): a browser sends Lax cookies on the top-level GET that Canvas redirects to from its own
/// site, and Strict ones not. Only for /oauth, and for the ten minutes a state lives.
/// </summary>
internal static class BrowserBinding
{
    public const string CookieName = "canvassync_oauth";
    private const string CookiePath = "/oauth";

    /// <summary>A fresh secret, set as the cookie; its hash goes into the state.</summary>
    public static string Issue(HttpContext http)
    {
        var secret = BearerSecrets.New();
        http.Response.Cookies.Append(CookieName, secret, new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = CookiePath,
            MaxAge = OAuthFlow.StateLifetime,
            IsEssential = true,
        });
        return secret;
    }

    /// <summary>The cookie's secret (then deleted: it serves one return), or null.</summary>
    public static string? Take(HttpContext http)
    {
        var secret = http.Request.Cookies[CookieName];
        if (secret is not null) http.Response.Cookies.Delete(CookieName,
            new CookieOptions { Path = CookiePath, Secure = http.Request.IsHttps, SameSite = SameSiteMode.Lax });
        return secret;
    }
}
