using CanvasSync.Canvas;
using CanvasSync.Canvas.Wire;
using CanvasSync.Data;
using CanvasSync.Features.OAuth;
using CanvasSync.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Features.Connections;

/// <summary>Why a URL or token was not accepted: the request field at fault, a stable code, and words for a person.</summary>
internal sealed class ConnectRejectedException(string field, string code, string message, int status = 400) : Exception(message)
{
    public string Field { get; } = field;
    public string Code { get; } = code;
    public int Status { get; } = status;
}

/// <summary>What disconnecting did at Canvas: for an OAuth2 grant, whether Canvas revoked it (and if not, why).</summary>
internal sealed record DisconnectOutcome(bool? RevokedAtCanvas, string? RevokeProblem);

/// <summary>Who a token belongs to on which Canvas, as Canvas said when asked.</summary>
internal sealed record CanvasIdentity(Uri BaseUrl, long CanvasUserId, string CanvasUserName, DateTime? TokenExpiresAt);

/// <summary>
/// Connecting a user's Canvas: the URL through the SSRF guard, the token proved by GET /api/v1/users/self, then
/// stored encrypted. The only place the API talks to Canvas.
/// </summary>
internal sealed partial class CanvasConnector(CanvasClient client, CanvasUrlGuard guard, TokenVault vault, OAuthGrants grants,
    CanvasSyncDbContext db,
    TimeProvider time, ILogger<CanvasConnector> logger)
{
    /// <summary>
    /// Who-am-I refused for the rate budget (another sync of the token spent it a moment ago) is asked again this many
    /// times, as the budget refills (Retry-After, or backoff: about 8 s in all), before the connect is refused as throttled.
    /// </summary>
    private const int ThrottledRetries = 5;

    /// <summary>Asks Canvas who the token belongs to; nothing is stored.</summary>
    public async Task<CanvasIdentity> ValidateAsync(string? canvasUrl, string? apiToken, CancellationToken ct)
    {
        var token = apiToken?.Trim() ?? "";
        if (token.Length == 0) throw new ConnectRejectedException("api_token", "required",
            "api_token is required: a Canvas access token (Account > Settings > New access token)");
        if (token.Length > 512 || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ConnectRejectedException("api_token", "malformed",
                "api_token is not a Canvas access token (no spaces, at most 512 characters)");

        Uri baseUrl;
        try
        {
            baseUrl = await guard.CheckAsync(canvasUrl, ct);
        }
        catch (CanvasUrlRejectedException e)
        {
            throw new ConnectRejectedException("canvas_url", e.Code, e.Message);
        }

        // One request at a time and one retry of a failure: a person is waiting for the answer.
        var session = client.Open(baseUrl, token, maxInFlight: 1, retryAttempts: 1, throttledRetryAttempts: ThrottledRetries);
        CanvasUser me;
        try
        {
            me = (await session.GetSelfAsync(ct)).Value;
        }
        catch (CanvasException e)
        {
            throw Rejection(e, baseUrl);
        }

        if (me.Id <= 0) throw new ConnectRejectedException("canvas_url",
            "not_canvas", $"{baseUrl.Host} did not answer GET /api/v1/users/self as Canvas does");
        return new CanvasIdentity(baseUrl, me.Id, me.Name ?? "", await TokenExpiryAsync(session, token, ct));
    }

    /// <summary>Validates, then stores the token encrypted. Connecting again replaces the token and clears needs_reauth.</summary>
    public async Task<CanvasConnection> ConnectAsync(long userId, string? canvasUrl, string? apiToken, CancellationToken ct)
    {
        var identity = await ValidateAsync(canvasUrl, apiToken, ct);
        return await StoreAsync(userId, identity, apiToken!.Trim(), null, ct);
    }

    /// <summary>
    /// Keeps what Canvas vouched for: a personal token (<paramref name="oauth"/> null), or an OAuth2 grant's access
    /// and refresh tokens. One Canvas per user, and the same Canvas user as the data already synced.
    /// </summary>
    public async Task<CanvasConnection> StoreAsync(long userId, CanvasIdentity identity, string accessToken,
        (long InstanceId, string RefreshToken)? oauth,
        CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var connection = await db.Connections.FirstOrDefaultAsync(c => c.UserId == userId, ct);
        var field = oauth is null ? "api_token" : "code";
        if (connection is not null && connection.BaseUrl != identity.BaseUrl.GetLeftPart(UriPartial.Authority))
            throw AlreadyConnected(connection.BaseUrl);
        if (connection is not null && connection.CanvasUserId != 0 && connection.CanvasUserId != identity.CanvasUserId)
            throw new ConnectRejectedException(field, "different_canvas_user",
                $"this {(oauth is null ? "token" : "authorization")} is for Canvas user {identity.CanvasUserId}, but the synced data is Canvas user {connection.CanvasUserId}'s; DELETE /api/v1/canvas/disconnect?purge=true first", 409);

        if (connection is null)
        {
            connection = new CanvasConnection
            {
                UserId = userId,
                BaseUrl = identity.BaseUrl.GetLeftPart(UriPartial.Authority),
                CreatedAt = now
            };
            db.Connections.Add(connection);
        }

        connection.CanvasUserId = identity.CanvasUserId;
        connection.CanvasUserName = identity.CanvasUserName;
        connection.EncryptedToken = vault.Protect(userId, accessToken);
        connection.InstanceId = oauth?.InstanceId;
        connection.EncryptedRefreshToken = oauth is { } o ? vault.Protect(SecretKind.CanvasRefreshToken, userId, o.RefreshToken) : null;
        connection.RefreshLeaseOwner = null;
        connection.RefreshLeaseUntil = null;
        connection.TokenStoredAt = now;
        connection.TokenExpiresAt = identity.TokenExpiresAt;
        connection.Status = ConnectionStatus.Ok;
        connection.LastErrorCode = null;
        connection.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        LogConnected(logger, userId, connection.Id, identity.BaseUrl.Host, oauth is null ? "a personal token" : "OAuth2");
        return connection;
    }

    /// <summary>
    /// Deletes the stored tokens; the synced data stays unless <paramref name="purge"/>. An OAuth2 grant is first
    /// revoked at Canvas (RevokedAtCanvas; null for a personal token, which its owner deletes in Canvas). Null: nothing was connected.
    /// </summary>
    public async Task<DisconnectOutcome?> DisconnectAsync(long userId, bool purge, CancellationToken ct)
    {
        var connection = await db.Connections.FirstOrDefaultAsync(c => c.UserId == userId, ct);
        if (connection is null) return null;
        (bool Revoked, string? Problem)? revoke = connection.InstanceId is null ? null : await grants.RevokeAsync(connection, ct);
        if (purge) db.Connections.Remove(connection); // the mirrored rows go with it (cascade)
        else
        {
            connection.EncryptedToken = null;
            connection.EncryptedRefreshToken = null;
            connection.TokenExpiresAt = null;
            connection.Status = ConnectionStatus.Disconnected;
            connection.UpdatedAt = time.GetUtcNow().UtcDateTime;
        }

        await db.SaveChangesAsync(ct);
        return new DisconnectOutcome(revoke?.Revoked, revoke?.Problem);
    }

    /// <summary>One Canvas per user: another needs a disconnect first.</summary>
    public static ConnectRejectedException AlreadyConnected(string connectedTo) =>
        new("canvas_url", "already_connected", $"already connected to {connectedTo}; DELETE /api/v1/canvas/disconnect first to connect another Canvas", 409);

    /// <summary>Canvas reports expiry on the token's own record (canvas-lms TokensController#show, by token_hint).</summary>
    private static async Task<DateTime?> TokenExpiryAsync(CanvasSession session, string token, CancellationToken ct)
    {
        try
        {
            return (await session.GetOwnTokenAsync(TokenHint(token), ct)).Value.ExpiresAt?.ToUniversalTime();
        }
        catch (CanvasException)
        {
            return null; // not every token may read its own record; the expiry is then unknown
        }
    }

    /// <summary>Canvas's token_hint is the first 5 characters of the token after its shard prefix ("7~").</summary>
    internal static string TokenHint(string token)
    {
        var start = token.IndexOf('~', StringComparison.Ordinal) + 1;
        return token.Substring(start, Math.Min(5, token.Length - start));
    }

    private static ConnectRejectedException Rejection(CanvasException e, Uri baseUrl) => e switch
    {
        CanvasTokenException dead => new ConnectRejectedException("api_token", "token_" + dead.Reason.ToString().ToLowerInvariant(),
            dead.Reason switch
            {
                DeadTokenReason.Expired => $"Canvas says this token expired{(dead.ExpiredAt is { } at ? $" at {at:u}" : "")}; make a new one in Canvas",
                DeadTokenReason.Revoked => "Canvas says this token has been revoked; make a new one in Canvas",
                _ => "Canvas does not accept this token (invalid or deleted); check it was copied whole",
            }),
        CanvasAddressRefusedException => new ConnectRejectedException("canvas_url", "url_not_allowed", e.Message),
        CanvasRedirectException r => new ConnectRejectedException("canvas_url", "redirected",
            $"{baseUrl.Host} redirects to {r.Location?.GetLeftPart(UriPartial.Authority) ?? "another address"}; connect with that URL instead (CanvasSync never sends a token through a redirect)"),
        // The kind of failure only, never what the target said: a user-given URL must not make CanvasSync a probe
        // that reports other servers' statuses and bodies.
        CanvasTransientException { Cause: "connection" or "timeout" } t => new ConnectRejectedException("canvas_url", "unreachable",
            $"could not reach {baseUrl.GetLeftPart(UriPartial.Authority)} ({(t.Cause == "timeout" ? "no answer in time" : "no connection")}); check the address"),
        CanvasThrottledException => new ConnectRejectedException("api_token", "throttled",
            "Canvas is holding back this token's requests (its rate limit); try again in a minute", 503),
        CanvasTransientException { Cause: "server_error" or "proxy_error" } => new ConnectRejectedException("canvas_url",
            "canvas_unavailable",
            $"{baseUrl.Host} answered with a server error; Canvas may be down, try again later", 502),
        _ => new ConnectRejectedException("canvas_url", "not_canvas",
            $"{baseUrl.Host} did not answer GET /api/v1/users/self as a Canvas server does; check the address"),
    };

    [LoggerMessage(Level = LogLevel.Information,
        Message = "User {UserId} connected Canvas at {Host} with {Method} (connection {ConnectionId})")]
    private static partial void LogConnected(ILogger logger, long userId, long connectionId, string host, string method);
}
