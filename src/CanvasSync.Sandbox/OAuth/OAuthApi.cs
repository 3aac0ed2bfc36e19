using System.Net;
using System.Security.Cryptography;
using System.Text;
using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.World;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace CanvasSync.Sandbox.OAuth;

/// <summary>
/// Canvas's OAuth2 endpoints as app/controllers/oauth2_provider_controller.rb and lib/canvas/oauth/* answer them:
/// /login/oauth2/auth (here one page that signs in and asks to authorize, where Canvas keeps the request in its
/// session across a login page and a confirm page), /login/oauth2/accept, POST and DELETE /login/oauth2/token.
/// </summary>
internal static class OAuthApi
{
    public static void MapOAuth(this IEndpointRouteBuilder app, SandboxState state)
    {
        app.MapGet("/login/oauth2/auth", (HttpContext http) => Authorize(state, http.Request.Query));
        // As Func, not lambdas: an async lambda on HttpContext alone would be taken as a RequestDelegate, its result dropped.
        Func<HttpContext, Task<IResult>> accept = async http => Accept(state, await http.Request.ReadFormAsync(http.RequestAborted));
        Func<HttpContext, Task<IResult>> token = http => TokenAsync(state, http);
        app.MapPost("/login/oauth2/accept", accept);
        app.MapPost("/login/oauth2/token", token);
        app.MapDelete("/login/oauth2/token", (HttpContext http) => Delete(state, http.Request));
    }

    private static IResult Authorize(SandboxState state, IQueryCollection q)
    {
        if (Refusal(state, q["client_id"], q["redirect_uri"]) is { } refused) return refused;
        string redirect = q["redirect_uri"]!;
        if (q["response_type"] != "code")
            return Results.Redirect(With(redirect, ("error", "unsupported_response_type"),
                ("error_description", "Only response_type=code is permitted"), ("state", q["state"])));
        // PKCE only when both parameters are there and the method is S256 (lib/canvas/oauth/pkce.rb).
        var challenge = q["code_challenge_method"] == "S256" && !StringValues.IsNullOrEmpty(q["code_challenge"])
            ? q["code_challenge"].ToString() : "";
        var people = SignInUsers(state);
        var html = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Authorize CanvasSync (sandbox Canvas)</title></head><body>");
        html.Append("<h1>Sandbox Canvas</h1><p>An app (developer key ").Append(Enc(q["client_id"]))
            .Append(") is asking to access your account.</p>");
        html.Append("<form method=\"post\" action=\"/login/oauth2/accept\">");
        foreach (var name in new[] { "client_id", "redirect_uri", "state" })
            html.Append("<input type=\"hidden\" name=\"").Append(name).Append("\" value=\"").Append(Enc(q[name])).Append("\">");
        html.Append("<input type=\"hidden\" name=\"code_challenge\" value=\"").Append(Enc(challenge)).Append("\">");
        html.Append("<label for=\"user_id\">Sign in as</label> <select id=\"user_id\" name=\"user_id\">");
        foreach (var u in people)
            html.Append("<option value=\"").Append(u.Id).Append("\">").Append(Enc(u.Name)).Append(" (").Append(Enc(u.LoginId))
            .Append(")</option>");
        html.Append("</select> <button type=\"submit\" name=\"decision\" value=\"authorize\" id=\"authorize\">Authorize</button>");
        html.Append(" <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Cancel</button></form></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private static IResult Accept(SandboxState state, IFormCollection form)
    {
        if (Refusal(state, form["client_id"], form["redirect_uri"]) is { } refused) return refused;
        string redirect = form["redirect_uri"]!;
        if (form["decision"] != "authorize") return Results.Redirect(With(redirect, ("error", "access_denied"), ("state", form["state"])));
        if (!long.TryParse(form["user_id"], out var userId) || SignInUsers(state).All(u => u.Id != userId))
            return Results.BadRequest("unknown user");
        var challenge = form["code_challenge"].ToString();
        var code = state.OAuth.IssueCode(form["client_id"]!, userId, redirect, challenge.Length > 0 ? challenge : null);
        return Results.Redirect(With(redirect, ("code", code), ("state", form["state"])));
    }

    private static async Task<IResult> TokenAsync(SandboxState state, HttpContext http)
    {
        if (state.Settings.LatencyMs > 0)
            await Task.Delay(TimeSpan.FromMilliseconds(state.Settings.LatencyMs), state.Time, http.RequestAborted);
        var p = http.Request.HasFormContentType
            ? (IEnumerable<KeyValuePair<string, StringValues>>)await http.Request.ReadFormAsync(http.RequestAborted) : http.Request.Query;
        var form = p.ToDictionary(x => x.Key, x => x.Value.ToString(), StringComparer.Ordinal);
        var (basicUser, basicPass) = Basic(http.Request);
        var clientId = Param(form, "client_id") ?? basicUser;
        var secret = Param(form, "client_secret") ?? basicPass;
        var key = state.OAuth.Key;
        if (clientId != key.ClientId) return Error(401, "invalid_client", "unknown client");
        if (secret != key.ClientSecret) return Error(401, "invalid_client", "invalid client");
        var grantType = Param(form, "grant_type") ?? (Param(form, "code") is not null ? "authorization_code" : null);
        switch (grantType)
        {
            case "authorization_code":
                if (Param(form, "code") is not { } code)
                    return Error(400, "invalid_request",
                    "You must provide the code parameter when using the authorization_code grant type");
                var data = state.OAuth.TakeCode(code);
                if (data is null) return Error(400, "invalid_grant", "authorization_code not found");
                if (data.ClientId != clientId) return Error(400, "invalid_grant", "incorrect client");
                if (Param(form, "code_verifier") is { } verifier && (data.Challenge is null || Challenge(verifier) != data.Challenge))
                    return Error(400, "invalid_grant", "invalid code_verifier");
                return Granted(state, state.OAuth.Grant(clientId, data.UserId), includeRefresh: true);
            case "refresh_token":
                if (Param(form, "refresh_token") is not { } refresh)
                    return Error(400, "invalid_request",
                    "You must provide the refresh_token parameter when using the refresh_token grant type");
                var grant = state.OAuth.Refresh(refresh);
                if (grant is null) return Error(400, "invalid_request", "refresh_token not found");
                if (grant.ClientId != clientId) return Error(400, "invalid_grant", "incorrect client");
                return Granted(state, grant, includeRefresh: false);
            default:
                return Error(400, "unsupported_grant_type", "The grant_type you requested is not currently supported");
        }
    }

    private static IResult Delete(SandboxState state, HttpRequest request)
    {
        var token = CanvasPipeline.ReadToken(request);
        if (token is null) return Results.Json(new { message = "can't delete OAuth access token when not using an OAuth access token" },
            statusCode: 400);
        SToken? found;
        using (state.World.Read()) state.World.Tokens.TryGetValue(token, out found);
        if (found is null || found.State != TokenState.Active) return DeadToken("Invalid access token.");
        if (found.ExpiresAt < state.Now) return DeadToken("Expired access token.");
        state.OAuth.Delete(token);
        return Results.Json(new { });
    }

    /// <summary>token.rb as_json: refresh_token only when the token was just made; expires_in while it expires.</summary>
    private static IResult Granted(SandboxState state, SGrant grant, bool includeRefresh)
    {
        SUser user;
        using (state.World.Read()) user = state.World.Users[grant.UserId];
        var body = new Dictionary<string, object?>
        {
            ["access_token"] = grant.AccessToken,
            ["token_type"] = "Bearer",
            ["user"] = new Dictionary<string, object?>
            {
                ["id"] = user.Id,
                ["name"] = user.Name,
                ["global_id"] = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["effective_locale"] = "en"
            },
        };
        if (includeRefresh) body["refresh_token"] = grant.RefreshToken;
        body["expires_in"] = state.Settings.AccessTokenSeconds;
        return Results.Json(body);
    }

    /// <summary>The auth endpoint's checks, in its order: the key, then the redirect URI (JSON errors, not redirects).</summary>
    private static IResult? Refusal(SandboxState state, string? clientId, string? redirectUri) =>
        clientId != state.OAuth.Key.ClientId ? Error(401, "invalid_client", "unknown client")
        : !state.OAuth.Key.Allows(redirectUri) ? Error(400, "invalid_request", "redirect_uri does not match client settings")
        : null;

    /// <summary>Who may sign in: every user holding an ordinary token of the generated world (student, teacher, admin, campus).</summary>
    /// <summary>Who may sign in: the users with a live token, the student first (the demo's user, so "Authorize" alone connects
    /// them).</summary>
    private static List<SUser> SignInUsers(SandboxState state)
    {
        using (state.World.Read())
        {
            var student = state.World.Tokens.TryGetValue(state.Tokens.Student, out var s) ? s.UserId : 0;
            return state.World.Tokens.Values.Where(t => t.State == TokenState.Active && t.ExpiresAt is null).Select(t => t.UserId)
                .Distinct()
                .Select(id => state.World.Users[id]).OrderBy(u => u.Id == student ? 0 : 1).ThenBy(u => u.Id).ToList();
        }
    }

    private static IResult Error(int status, string error, string description)
    {
        var result = Results.Json(new { error, error_description = description }, statusCode: status);
        return status == 401 ? new WithHeader(result, "WWW-Authenticate", "Canvas OAuth 2.0") : result;
    }

    private static IResult DeadToken(string message) =>
        new WithHeader(Results.Json(new { errors = new[] { new { message } } }, statusCode: 401), "WWW-Authenticate",
            "Bearer realm=\"canvas-lms\"");

    private static string? Param(Dictionary<string, string> form, string name) => form.TryGetValue(name, out var v) && v.Length > 0 ? v
        : null;

    private static (string?, string?) Basic(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return (null, null);
        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())).Split(':', 2);
        return pair.Length == 2 ? (pair[0], pair[1]) : (null, null);
    }

    private static string Challenge(string verifier) => WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static string With(string url, params (string Name, StringValues Value)[] query)
    {
        var values = query.Where(x => !StringValues.IsNullOrEmpty(x.Value)).ToDictionary(x => x.Name, x => (string?)x.Value.ToString());
        return QueryHelpers.AddQueryString(url, values);
    }

    private static string Enc(string? s) => WebUtility.HtmlEncode(s ?? "");

    private sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
