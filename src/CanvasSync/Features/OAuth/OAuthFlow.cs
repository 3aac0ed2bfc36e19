using System.Security.Cryptography;
using System.Text;
using CanvasSync.Canvas;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Security;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.OAuth;

/// <summary>Where to send the browser, and the state that will come back with it.</summary>
internal sealed record OAuthStart(Uri AuthorizeUrl, string State, DateTime ExpiresAt);

/// <summary>What the return from Canvas did: the connection stored, and whether it was a "Sign in with Canvas" (the browser is to be signed
/// in).</summary>
internal sealed record OAuthOutcome(CanvasConnection Connection, bool SignIn);

/// <summary>
/// "Connect with Canvas": the authorization-code flow with PKCE. Start makes a state bound to the signed-in user (and,
/// from the dashboard, to the browser by a cookie); the callback accepts that state once, from that user or browser
/// only, exchanges the code and stores the grant as the user's connection. "Sign in with Canvas" is the same flow
/// started by nobody yet: the state is bound to the browser only, and the callback finds the CanvasSync user Canvas
/// vouched for, or makes one, only once Canvas has said who it is.
/// </summary>
internal sealed class OAuthFlow(CanvasSyncDbContext db, TokenVault vault, CanvasOAuthClient oauth, OAuthGrants grants,
    CanvasConnector connector,
    CanvasUrlGuard guard, TimeProvider time)
{
    /// <summary>The user a Canvas sign-in makes is named after the Canvas user and host: "canvas-1001@school.instructure.com".</summary>
    private static string SignInUserName(Uri canvas, long canvasUserId) => $"canvas-{canvasUserId}@{canvas.Authority}";

    /// <summary>Canvas keeps a code 10 minutes (oath_token_request_timeout); a state need not outlive it.</summary>
    public static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(10);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <param name="instanceId">The developer key to use; or <paramref name="canvasUrl"/> names its Canvas.</param>
    /// <param name="redirectUri">
    /// Optional, and then exactly the instance's registered redirect URI: any other would let an attacker's account
    /// collect a victim's code wherever Canvas matches redirect URIs by host or prefix.
    /// </param>
    /// <param name="browserSecret">From the dashboard: the cookie value the callback must bring back.</param>
    public async Task<OAuthStart> StartAsync(long userId, long? instanceId, string? canvasUrl, string? redirectUri, string? browserSecret,
        CancellationToken ct)
    {
        var instance = await FindInstanceAsync(instanceId, canvasUrl, ct);
        var existing = await db.Connections.AsNoTracking().Where(c => c.UserId == userId).Select(c => c.BaseUrl).FirstOrDefaultAsync(ct);
        if (existing is not null && existing != instance.BaseUrl)
            throw CanvasConnector.AlreadyConnected(existing);
        if (redirectUri is not null && !string.Equals(redirectUri, instance.RedirectUri, StringComparison.Ordinal))
            throw new ConnectRejectedException("redirect_uri", "redirect_uri_not_registered",
                $"redirect_uri must be exactly this Canvas's registered redirect URI ({instance.RedirectUri}); an operator sets it with `canvas-sync instances add`");
        return await NewStateAsync(instance, userId, browserSecret, ct);
    }

    /// <summary>"Sign in with Canvas" from the sign-in page: nobody is signed in, so the state is bound to this browser alone.</summary>
    public async Task<OAuthStart> StartSignInAsync(long instanceId, string browserSecret, CancellationToken ct) =>
        await NewStateAsync(await FindInstanceAsync(instanceId, null, ct), null, browserSecret, ct);

    private async Task<OAuthStart> NewStateAsync(CanvasInstance instance, long? userId, string? browserSecret, CancellationToken ct)
    {
        // Old states go as new ones come: nothing else needs them.
        var now = Now;
        await db.OAuthStates.Where(s => s.ExpiresAt < now.AddDays(-1)).ExecuteDeleteAsync(ct);
        var redirect = instance.RedirectUri;
        var state = BearerSecrets.New();
        var verifier = BearerSecrets.New();
        var row = new OAuthState
        {
            StateHash = BearerSecrets.HashOf(state),
            UserId = userId,
            InstanceId = instance.Id,
            EncryptedVerifier = vault.Protect(SecretKind.PkceVerifier, userId ?? 0, verifier),
            RedirectUri = redirect,
            BrowserHash = browserSecret is null ? null : BearerSecrets.HashOf(browserSecret),
            CreatedAt = now,
            ExpiresAt = now + StateLifetime,
        };
        db.OAuthStates.Add(row);
        await db.SaveChangesAsync(ct);
        return new OAuthStart(CanvasOAuthClient.AuthorizeUrl(new Uri(instance.BaseUrl), instance.ClientId, redirect, state,
            CanvasOAuthClient.CodeChallenge(verifier)),
            state, row.ExpiresAt);
    }

    /// <summary>
    /// The return from Canvas. <paramref name="callerUserId"/> is the API caller (an app posting the code it got), or
    /// the dashboard session's user when the browser sent it; <paramref name="browserSecret"/> is the browser's cookie.
    /// A state is honoured once, before its expiry, for the user who started it, and from the browser that started it
    /// when one did. A sign-in's state is honoured from the browser that started it only.
    /// </summary>
    public async Task<OAuthOutcome> CompleteAsync(string? state, string? code, string? error, string? errorDescription, long? callerUserId,
        string? browserSecret,
        CancellationToken ct)
    {
        if (string.IsNullOrEmpty(state) || state.Length > 200)
            throw Refused("state_missing", "the state parameter is missing: start again with Connect with Canvas");
        var hash = BearerSecrets.HashOf(state);
        var row = await db.OAuthStates.AsNoTracking().FirstOrDefaultAsync(s => s.StateHash == hash, ct);
        if (row is null) throw Refused("state_invalid",
            "this sign-in was not started here (unknown state): start again with Connect with Canvas");
        var fromStarter = row.BrowserHash is not null && browserSecret is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(row.BrowserHash), Encoding.ASCII.GetBytes(BearerSecrets.HashOf(browserSecret)));
        // An app proves it is the user by its API key; a browser by the cookie of the browser that started it (and, if
        // a dashboard session came along, that session must be the same user's).
        var bound = row.UserId is null ? fromStarter
            : callerUserId is { } caller ? caller == row.UserId && (browserSecret is null || fromStarter) : fromStarter;
        if (!bound) throw Refused("state_invalid",
            "this sign-in was started by someone else (or in another browser): start again with Connect with Canvas");
        if (row.UsedAt is not null) throw Refused("state_used", "this sign-in was already used: start again with Connect with Canvas");
        if (row.ExpiresAt < Now)
            throw Refused("state_expired", "this sign-in took longer than 10 minutes: start again with Connect with Canvas");
        // Once only, even for two callbacks at the same instant.
        var now = Now;
        if (await db.OAuthStates.Where(s => s.Id == row.Id && s.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.UsedAt, now), ct) == 0)
            throw Refused("state_used", "this sign-in was already used: start again with Connect with Canvas");

        if (!string.IsNullOrEmpty(error))
            throw new ConnectRejectedException("code", error == "access_denied" ? "access_denied" : "authorization_refused",
                error == "access_denied" ? "access was not allowed in Canvas; nothing was connected"
                    : $"Canvas did not authorize CanvasSync ({error}: {errorDescription})");
        if (string.IsNullOrEmpty(code) || code.Length > 1000)
            throw new ConnectRejectedException("code", "required", "the code parameter from Canvas is missing");

        var instance = await db.CanvasInstances.AsNoTracking().FirstAsync(i => i.Id == row.InstanceId, ct);
        if (!vault.TryUnprotect(SecretKind.PkceVerifier, row.UserId ?? 0, row.EncryptedVerifier, out var verifier))
            throw Refused("state_invalid", "this sign-in's stored verifier cannot be read: start again with Connect with Canvas");
        var baseUrl = new Uri(instance.BaseUrl);
        OAuthTokens tokens;
        try
        {
            tokens = await oauth.ExchangeCodeAsync(baseUrl, grants.KeyOf(instance), code, row.RedirectUri, verifier, ct);
        }
        catch (CanvasOAuthException e)
        {
            throw new ConnectRejectedException("code",
                "code_refused",
                $"Canvas refused the authorization code ({e.Error}: {e.Description}); start again with Connect with Canvas");
        }
        catch (CanvasException e)
        {
            throw new ConnectRejectedException("canvas_url",
                "canvas_unavailable", $"{baseUrl.Host} could not exchange the code: {e.Message}", 502);
        }

        if (tokens.RefreshToken is null)
            throw new ConnectRejectedException("code", "no_refresh_token",
                "Canvas issued no refresh token (is the developer key limited to userinfo?); CanvasSync cannot keep this connection alive");
        var identity = new CanvasIdentity(baseUrl, tokens.CanvasUserId, tokens.CanvasUserName, tokens.ExpiresIn is { } lasts ? Now + lasts
            : null);
        var userId = row.UserId ?? await SignInUserAsync(baseUrl, tokens.CanvasUserId, ct);
        var connection = await connector.StoreAsync(userId, identity, tokens.AccessToken, (instance.Id, tokens.RefreshToken), ct);
        return new OAuthOutcome(connection, row.UserId is null);
    }

    /// <summary>
    /// The user a Canvas sign-in is for: the one an earlier sign-in of this Canvas user made, else a new one (never an
    /// admin). Accounts made with API keys are never reached this way: a Canvas login must not open an operator's account.
    /// </summary>
    private async Task<long> SignInUserAsync(Uri canvas, long canvasUserId, CancellationToken ct)
    {
        var name = SignInUserName(canvas, canvasUserId);
        var existing = await db.Users.Where(u => u.Name == name).Select(u => (long?)u.Id).FirstOrDefaultAsync(ct);
        if (existing is { } id) return id;
        var user = new Accounts.User { Name = name, IsAdmin = false, CreatedAt = Now };
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
            return user.Id;
        }
        catch (DbUpdateException)
        {
            // The same person's first sign-in in another browser made the user a moment ago (names are unique): theirs.
            db.Entry(user).State = EntityState.Detached;
            return await db.Users.Where(u => u.Name == name).Select(u => u.Id).SingleAsync(ct);
        }
    }

    private async Task<CanvasInstance> FindInstanceAsync(long? instanceId, string? canvasUrl, CancellationToken ct)
    {
        if (instanceId is { } id)
            return await db.CanvasInstances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct)
                ?? throw new ConnectRejectedException("instance_id",
                    "unknown_instance", $"there is no Canvas instance {id}; GET /api/v1/canvas/oauth/instances lists them");
        string url;
        try
        {
            url = guard.Normalize(canvasUrl).GetLeftPart(UriPartial.Authority);
        }
        catch (CanvasUrlRejectedException e)
        {
            throw new ConnectRejectedException("canvas_url", e.Code, e.Message);
        }

        return await db.CanvasInstances.AsNoTracking().FirstOrDefaultAsync(i => i.BaseUrl == url, ct)
            ?? throw new ConnectRejectedException("canvas_url", "oauth_not_configured",
                $"CanvasSync has no developer key for {url}; connect with a personal access token, or ask the operator to add one (canvas-sync instances add)");
    }

    private static ConnectRejectedException Refused(string code, string message) => new("state", code, message);
}
