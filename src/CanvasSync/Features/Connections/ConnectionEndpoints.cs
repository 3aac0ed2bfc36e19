using System.Globalization;
using System.Security.Claims;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.Connections;

internal sealed record ConnectRequest(string? CanvasUrl, string? ApiToken);

/// <summary>auth_method: "token" (a personal access token) or "oauth" (Connect with Canvas, refreshed by CanvasSync).</summary>
internal sealed record ConnectResponse(bool Success, string Message, long UserId, string CanvasUrl, string Status, DateTime? StoredAt,
    long CanvasUserId, string CanvasUserName, DateTime? TokenExpiresAt, string AuthMethod);

/// <summary>revoked_at_canvas: for a connection made with OAuth2, whether Canvas revoked the grant; null for a personal token.</summary>
internal sealed record DisconnectResponse(bool Success, string Message, bool Purged, bool? RevokedAtCanvas);

internal sealed record ConnectionWarning(string Code, string Message);

internal sealed record TestConnectionResponse(bool Success, string Message, string CanvasUrl, long CanvasUserId, string CanvasUserName,
    DateTime? TokenExpiresAt);

internal sealed record LastSyncView(long SyncId, string Status, string SyncType, DateTime QueuedAt, DateTime? FinishedAt);

/// <summary>
/// The caller's connection. sync_state: never_synced (no complete sync yet), syncing (one is queued or running),
/// stale (the last complete sync is older than Sync:StaleAfterMinutes) or up_to_date. counts: rows per entity type.
/// auth_method: token or oauth (then token_expires_at is the current access token's, refreshed as needed).
/// PulsePlan's documented fields are here too: user_id, last_sync (when the last complete sync started, a time) and
/// assignments_count; the newest finished run, which CanvasSync called last_sync before, is last_run.
/// </summary>
internal sealed record ConnectionStatusResponse(long UserId, bool Connected, string? CanvasUrl, string Status, long? CanvasUserId,
    string? CanvasUserName,
    DateTime? TokenStoredAt, DateTime? TokenExpiresAt, DateTime? LastFullSyncAt, DateTime? LastDeltaAt, string? LastErrorCode,
    IReadOnlyList<ConnectionWarning> Warnings, string SyncState, LastSyncView? LastRun, IReadOnlyDictionary<string, long> Counts,
        string? AuthMethod)
{
    public DateTime? LastSync => ConnectionState.LastComplete(LastFullSyncAt, LastDeltaAt);

    public long AssignmentsCount => Counts.GetValueOrDefault("assignments");
}

/// <summary>/api/v1/canvas: connect, disconnect and the connection's state, always the calling user's own.</summary>
internal static class ConnectionEndpoints
{
    /// <summary>A token expiring sooner than this is worth a warning.</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(14);

    public static RouteGroupBuilder MapCanvasConnections(this IEndpointRouteBuilder app)
    {
        var canvas = app.MapApiGroup("/api/v1/canvas", "Canvas connection");
        canvas.MapPost("/connect", ConnectAsync);
        canvas.MapDelete("/disconnect", DisconnectAsync);
        canvas.MapGet("/status", StatusAsync);
        canvas.MapPost("/test-connection", TestAsync);
        return canvas;
    }

    private static async Task<Results<Ok<ConnectResponse>, ProblemHttpResult>> ConnectAsync(ConnectRequest? body, ClaimsPrincipal caller,
        CanvasConnector connector, CancellationToken ct)
    {
        if (body is null) return Invalid(new ConnectRejectedException("body", "required",
            "a JSON body is needed: {\"canvas_url\": ..., \"api_token\": ...}"));
        try
        {
            return TypedResults.Ok(Connected(await connector.ConnectAsync(caller.UserId(), body.CanvasUrl, body.ApiToken, ct)));
        }
        catch (ConnectRejectedException e)
        {
            return Invalid(e);
        }
    }

    private static async Task<Results<Ok<DisconnectResponse>, ProblemHttpResult>> DisconnectAsync(ClaimsPrincipal caller,
        CanvasConnector connector,
        CancellationToken ct, bool purge = false)
    {
        if (await connector.DisconnectAsync(caller.UserId(), purge, ct) is not { } done)
            return TypedResults.Problem("there is no Canvas connection to disconnect", statusCode: StatusCodes.Status404NotFound);
        var message = purge ? "Disconnected; the token and every synced row are deleted"
            : "Disconnected; the token is deleted, the synced data kept";
        if (done.RevokedAtCanvas == false)
            message += $"; Canvas could not be asked to revoke the authorization ({done.RevokeProblem}): remove it in Canvas under Account > Settings";
        return TypedResults.Ok(new DisconnectResponse(true, message, purge, done.RevokedAtCanvas));
    }

    /// <summary>Asks Canvas whether this URL and token work, as connect would, and stores nothing.</summary>
    private static async Task<Results<Ok<TestConnectionResponse>, ProblemHttpResult>> TestAsync(ConnectRequest? body,
        CanvasConnector connector, CancellationToken ct)
    {
        if (body is null) return Invalid(new ConnectRejectedException("body", "required",
            "a JSON body is needed: {\"canvas_url\": ..., \"api_token\": ...}"));
        try
        {
            var who = await connector.ValidateAsync(body.CanvasUrl, body.ApiToken, ct);
            var url = who.BaseUrl.GetLeftPart(UriPartial.Authority);
            return TypedResults.Ok(new TestConnectionResponse(true, $"Canvas at {url} accepts this token for {who.CanvasUserName}; nothing was saved", url,
                who.CanvasUserId, who.CanvasUserName, who.TokenExpiresAt));
        }
        catch (ConnectRejectedException e)
        {
            return Invalid(e);
        }
    }

    private static async Task<Ok<ConnectionStatusResponse>> StatusAsync(ClaimsPrincipal caller, CanvasSyncDbContext db, TimeProvider time,
        IOptions<SyncOptions> options, CancellationToken ct) =>
        TypedResults.Ok(await ConnectionState.ReadAsync(db, caller.UserId(), TimeSpan.FromMinutes(options.Value.StaleAfterMinutes),
            time.GetUtcNow().UtcDateTime, ct));

    /// <summary>What the owner should act on: a token Canvas refuses, or one that expires within 14 days. Status and pages show
    /// these.</summary>
    public static IReadOnlyList<ConnectionWarning> Warnings(CanvasConnection c, DateTime now)
    {
        var warnings = new List<ConnectionWarning>();
        if (c.Status == ConnectionStatus.NeedsReauth && c.InstanceId is not null)
            warnings.Add(new ConnectionWarning("needs_reauth",
                "Canvas no longer honours CanvasSync's authorization (revoked, or the refresh was refused); " +
                "reconnect: Connect with Canvas on the setup page, or POST /api/v1/canvas/oauth/start"));
        else if (c.Status == ConnectionStatus.NeedsReauth)
            warnings.Add(new ConnectionWarning("needs_reauth",
                "Canvas no longer accepts the stored token (or it can no longer be read); connect again with a new one"));
        // An OAuth2 access token lasts an hour by design and is refreshed: its expiry is nothing to act on.
        else if (c.EncryptedToken is not null && c.InstanceId is null && c.TokenExpiresAt is { } expires && expires - now < ExpiryWarning)
            warnings.Add(new ConnectionWarning("token_expires_soon", expires <= now
                ? "the Canvas token has expired; connect again with a new one"
                : string.Create(CultureInfo.InvariantCulture, $"the Canvas token expires {expires:yyyy-MM-dd HH:mm} UTC ({Math.Ceiling((expires - now).TotalDays):0} days); connect again with a new one before then")));
        return warnings;
    }

    public static ConnectResponse Connected(CanvasConnection c) =>
        new(true, $"Connected to {c.BaseUrl} as {c.CanvasUserName}", c.UserId, c.BaseUrl, Words(c.Status), c.TokenStoredAt, c.CanvasUserId,
            c.CanvasUserName,
            c.TokenExpiresAt, AuthMethod(c));

    public static string AuthMethod(CanvasConnection c) => c.InstanceId is null ? "token" : "oauth";

    public static ProblemHttpResult Invalid(ConnectRejectedException e) =>
        Problems.Field(e.Field, e.Message, e.Status, e.Code, "The Canvas connection was not made");

    private static string Words(ConnectionStatus status) => SnakeCase.From(status.ToString());
}
