using System.Security.Claims;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CanvasSync.Features.OAuth;

/// <summary>A developer key as apps see it: redirect_uri is the one an app may pass to oauth/start (exactly), or leave out.</summary>
internal sealed record OAuthInstanceView(long Id, string Name, string CanvasUrl, string RedirectUri);

/// <summary>instance_id or canvas_url picks the developer key; redirect_uri is an app's own callback (default: the instance's).</summary>
internal sealed record OAuthStartRequest(long? InstanceId, string? CanvasUrl, string? RedirectUri);

internal sealed record OAuthStartResponse(string AuthorizeUrl, string State, DateTime ExpiresAt);

/// <summary>What Canvas put on the redirect: code and state, or error (access_denied) and error_description.</summary>
internal sealed record OAuthCallbackRequest(string? State, string? Code, string? Error, string? ErrorDescription);

/// <summary>
/// "Connect with Canvas" for apps: list the instances, start (an authorize URL to send the user to), and the
/// callback (the app posts the code and state Canvas gave its redirect URI, with the same user's API key).
/// </summary>
internal static class OAuthEndpoints
{
    public static RouteGroupBuilder MapCanvasOAuth(this IEndpointRouteBuilder app)
    {
        var oauth = app.MapApiGroup("/api/v1/canvas/oauth", "Canvas connection");
        oauth.MapGet("/instances", InstancesAsync);
        oauth.MapPost("/start", StartAsync);
        oauth.MapPost("/callback", CallbackAsync);
        return oauth;
    }

    private static async Task<Ok<List<OAuthInstanceView>>> InstancesAsync(CanvasInstances instances, CancellationToken ct) =>
        TypedResults.Ok((await instances.ListAsync(ct)).Select(i => new OAuthInstanceView(i.Id, i.Name, i.CanvasUrl, i.RedirectUri))
            .ToList());

    private static async Task<Results<Ok<OAuthStartResponse>, ProblemHttpResult>> StartAsync(OAuthStartRequest? body,
        ClaimsPrincipal caller, OAuthFlow flow,
        CancellationToken ct)
    {
        if (body is null) return ConnectionEndpoints.Invalid(new ConnectRejectedException("body", "required",
            "a JSON body is needed: {\"canvas_url\": ...} or {\"instance_id\": ...}"));
        try
        {
            var start = await flow.StartAsync(caller.UserId(), body.InstanceId, body.CanvasUrl, body.RedirectUri, browserSecret: null, ct);
            return TypedResults.Ok(new OAuthStartResponse(start.AuthorizeUrl.ToString(), start.State, start.ExpiresAt));
        }
        catch (ConnectRejectedException e)
        {
            return ConnectionEndpoints.Invalid(e);
        }
    }

    private static async Task<Results<Ok<ConnectResponse>, ProblemHttpResult>> CallbackAsync(OAuthCallbackRequest? body,
        ClaimsPrincipal caller, OAuthFlow flow,
        CancellationToken ct)
    {
        if (body is null) return ConnectionEndpoints.Invalid(new ConnectRejectedException("body", "required",
            "a JSON body is needed: {\"state\": ..., \"code\": ...}"));
        try
        {
            return TypedResults.Ok(ConnectionEndpoints.Connected(
                (await flow.CompleteAsync(body.State, body.Code, body.Error, body.ErrorDescription, caller.UserId(), browserSecret: null,
                    ct)).Connection));
        }
        catch (ConnectRejectedException e)
        {
            return ConnectionEndpoints.Invalid(e);
        }
    }
}
