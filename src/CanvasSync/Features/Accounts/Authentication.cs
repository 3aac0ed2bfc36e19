using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using CanvasSync.Data;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.Accounts;

/// <summary>Who is calling, from the claims authentication put on the request.</summary>
internal static class CallerClaims
{
    public const string KeyId = "canvassync:key_id";

    /// <summary>The session's key was made for this session alone (Sign in with Canvas): signing out revokes it.</summary>
    public const string SessionKey = "canvassync:session_key";

    public static long UserId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("not signed in"),
            CultureInfo.InvariantCulture);

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole("admin");

    /// <summary>Claims of the caller's Canvas connection, as the key lookup read it: only on a request's own principal.</summary>
    public const string ConnectionId = "canvassync:connection_id";
    public const string CanvasUserId = "canvassync:canvas_user_id";
    public const string CanvasUrl = "canvassync:canvas_url";

    /// <param name="withConnection">
    /// Add the connection read with the key. Right for a principal made per request (API keys); never for a cookie,
    /// which would carry it stale past a reconnect.
    /// </param>
    /// <param name="sessionKey">The key was made for this session (<see cref="SessionKey"/>).</param>
    public static ClaimsPrincipal Principal(AuthenticatedKey key, string scheme, bool withConnection = false, bool sessionKey = false)
    {
        List<Claim> claims =
        [
            new Claim(ClaimTypes.NameIdentifier, key.UserId.ToString(CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Name, key.UserName),
            new Claim(ClaimTypes.Role, key.IsAdmin ? "admin" : "user"),
            new Claim(KeyId, key.KeyId.ToString(CultureInfo.InvariantCulture)),
        ];
        if (withConnection && key.Connection is { } c)
        {
            claims.Add(new Claim(ConnectionId, c.Id.ToString(CultureInfo.InvariantCulture)));
            claims.Add(new Claim(CanvasUserId, c.CanvasUserId.ToString(CultureInfo.InvariantCulture)));
            claims.Add(new Claim(CanvasUrl, c.BaseUrl));
        }

        if (sessionKey) claims.Add(new Claim(SessionKey, "true"));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}

/// <summary>`Authorization: Bearer csk_...`: the key is looked up on every request, so revoking it takes effect at once.</summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var db = Context.RequestServices.GetRequiredService<CanvasSyncDbContext>();
        var found = await UserDirectory.AuthenticateAsync(db, header["Bearer ".Length..].Trim(), Context.RequestAborted);
        return found is null ? AuthenticateResult.Fail("the API key is not valid, or it has been revoked")
            : AuthenticateResult.Success(new AuthenticationTicket(CallerClaims.Principal(found, SchemeName, withConnection: true),
                SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        await AccountProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            failure ?? "an API key is needed: Authorization: Bearer <key> (canvas-sync users add NAME prints one)");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AccountProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", "this needs an admin's API key");
}

internal static class AccountProblems
{
    /// <summary>A 401 also says which scheme it wants.</summary>
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.WriteAsync(context, status, title, detail);
    }
}

internal static class AccountsServiceCollectionExtensions
{
    public const string DefaultScheme = "CanvasSync";

    /// <summary>
    /// API keys for the API (Bearer), a cookie session for the pages (signed in with a key at /login), and a fallback
    /// policy so that every endpoint needs one of the two unless it says otherwise (health, login).
    /// </summary>
    public static IServiceCollection AddCanvasSyncAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, null, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 || CookieMayNotChange(context.Request)
                    ? ApiKeyAuthenticationHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/denied";
                o.Cookie.Name = "canvassync_session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.Events = new CookieAuthenticationEvents
                {
                    // The session lives only as long as the key it was opened with.
                    OnValidatePrincipal = async context =>
                    {
                        var keyId = context.Principal?.FindFirstValue(CallerClaims.KeyId);
                        var db = context.HttpContext.RequestServices.GetRequiredService<CanvasSyncDbContext>();
                        if (keyId is null || !await UserDirectory.IsKeyActiveAsync(db, long.Parse(keyId, CultureInfo.InvariantCulture),
                            context.HttpContext.RequestAborted))
                        {
                            context.RejectPrincipal();
                            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                        }
                    },
                    // API calls without credentials get a 401, not a redirect to a login page.
                    OnRedirectToLogin = context => IsApi(context.Request)
                        ? AccountProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized",
                            "an API key is needed: Authorization: Bearer <key>")
                        : Redirect(context),
                    OnRedirectToAccessDenied = context => IsApi(context.Request)
                        ? AccountProblems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden",
                            "this needs an admin")
                        : Redirect(context),
                };
            });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy("admin", p => p.RequireRole("admin"));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "canvassync_antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure over https, a trusted proxy's included
            o.FormFieldName = "__csrf";
        });
        return services;
    }

    /// <summary>
    /// The API changes nothing on the strength of the dashboard's cookie: a browser sends that cookie with a form
    /// another site posts (SameSite=Strict does not cover sibling subdomains), and the API takes no antiforgery token.
    /// So an API request that could change state needs an API key; the dashboard's own reads (a run's progress,
    /// its event stream) are GETs and keep the cookie, and its changes go through its pages' forms, which carry an
    /// antiforgery token.
    /// </summary>
    private static bool CookieMayNotChange(HttpRequest request) =>
        IsApi(request) && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || HttpMethods.IsOptions(request.Method));

    /// <summary>Where machines call (the API, Prometheus at /metrics): a 401 or 403 there, never a redirect to the sign-in page.</summary>
    private static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase);

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
