using CanvasSync.Canvas;
using CanvasSync.Cluster;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Features.OAuth;

/// <summary>The developer key's secret no longer decrypts (the master key was replaced): an operator must set it again.</summary>
internal sealed class ClientSecretUnreadableException(string baseUrl)
    : Exception($"the client secret of {baseUrl} cannot be decrypted (was the master key replaced?); set it again with `canvas-sync instances add`");

/// <summary>
/// An OAuth2 connection's grant over its life: the credential a sync uses, the refresh (one node at a time, by a
/// lease in the connection's row) and the revocation at disconnect.
/// </summary>
internal sealed partial class OAuthGrants(IDbContextFactory<CanvasSyncDbContext> contexts, TokenVault vault, CanvasOAuthClient oauth,
    NodeIdentity node, TimeProvider time,
    ILogger<OAuthGrants> logger)
{
    /// <summary>Long enough for a token request with its timeout; a node that dies holding it delays the others this long.</summary>
    public static readonly TimeSpan RefreshLease = TimeSpan.FromSeconds(30);
    public const string RefreshRefusedCode = "oauth_refresh_refused";

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public CanvasCredential CredentialFor(CanvasConnection c, string accessToken) =>
        new OAuthCredential(c.Id, new AccessTokenState(accessToken, c.EncryptedToken!, c.TokenStoredAt, c.TokenExpiresAt), this, time);

    /// <summary>The developer key of an instance, its secret decrypted.</summary>
    public OAuthClientKey KeyOf(CanvasInstance instance) =>
        vault.TryUnprotect(SecretKind.OAuthClientSecret, 0, instance.EncryptedClientSecret, out var secret)
            ? new OAuthClientKey(instance.ClientId, secret)
            : throw new ClientSecretUnreadableException(instance.BaseUrl);

    /// <summary>
    /// A fresh access token for the connection, whose stored one was <paramref name="knownCiphertext"/>. If another
    /// node refreshed meanwhile, its token is taken; otherwise this node takes the refresh lease (a compare-and-set on
    /// the stored token and the lease) and asks Canvas, while the others wait for its result. Canvas refusing the
    /// refresh (a revoked grant) puts the connection in needs_reauth and throws <see cref="CanvasTokenException"/>.
    /// </summary>
    public async Task<AccessTokenState> RefreshAsync(long connectionId, string knownCiphertext, CancellationToken ct)
    {
        var owner = $"{node.Name}/{Guid.NewGuid():N}";
        var deadline = Now + 2 * RefreshLease;
        while (true)
        {
            await using var db = contexts.CreateDbContext();
            var c = await db.Connections.AsNoTracking().FirstOrDefaultAsync(x => x.Id == connectionId, ct);
            if (c?.EncryptedToken is null || c.EncryptedRefreshToken is null || c.InstanceId is null
                || c.Status is ConnectionStatus.NeedsReauth or ConnectionStatus.Disconnected)
                throw new CanvasTokenException(DeadTokenReason.Revoked, null,
                    "the connection was disconnected or needs reauthorization; reconnect with Canvas");
            if (c.EncryptedToken != knownCiphertext) return Stored(c); // refreshed by another node (or session) meanwhile

            var now = Now;
            var taken = await db.Connections
                .Where(x => x.Id == connectionId && x.EncryptedToken == knownCiphertext
                    && (x.RefreshLeaseUntil == null || x.RefreshLeaseUntil < now))
                .ExecuteUpdateAsync(s =>
                    s.SetProperty(x => x.RefreshLeaseOwner, owner).SetProperty(x => x.RefreshLeaseUntil, now + RefreshLease), ct);
            if (taken == 1) return await RefreshHoldingLeaseAsync(db, c, owner, ct);

            if (Now > deadline) throw new CanvasTransientException("refresh", "another node's refresh of the access token did not finish");
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct);
        }
    }

    private async Task<AccessTokenState> RefreshHoldingLeaseAsync(CanvasSyncDbContext db, CanvasConnection c, string owner,
        CancellationToken ct)
    {
        var mine = db.Connections.Where(x => x.Id == c.Id && x.RefreshLeaseOwner == owner);
        OAuthTokens fresh;
        try
        {
            var instance = await db.CanvasInstances.AsNoTracking().FirstAsync(i => i.Id == c.InstanceId, ct);
            if (!vault.TryUnprotect(SecretKind.CanvasRefreshToken, c.UserId, c.EncryptedRefreshToken!, out var refreshToken))
                throw new CanvasOAuthException(0, "unreadable", "the stored refresh token cannot be decrypted");
            fresh = await oauth.RefreshAsync(new Uri(c.BaseUrl), KeyOf(instance), refreshToken, ct);
        }
        catch (CanvasOAuthException e)
        {
            // The grant is gone (revoked in Canvas, the refresh token unknown, the developer key off or changed).
            LogRefreshRefused(logger, c.Id, e.Error, e.Description);
            await mine.ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, ConnectionStatus.NeedsReauth)
                .SetProperty(x => x.LastErrorCode, RefreshRefusedCode)
                .SetProperty(x => x.RefreshLeaseOwner, (string?)null)
                .SetProperty(x => x.RefreshLeaseUntil, (DateTime?)null)
                .SetProperty(x => x.UpdatedAt, Now), CancellationToken.None);
            throw new CanvasTokenException(DeadTokenReason.Revoked,
                null, $"Canvas refused to refresh the access token ({e.Error}: {e.Description}); reconnect with Canvas");
        }
        catch
        {
            // Worth another try later (Canvas unreachable, a 5xx): let the next one in at once.
            await mine.ExecuteUpdateAsync(s =>
                s.SetProperty(x => x.RefreshLeaseOwner, (string?)null).SetProperty(x => x.RefreshLeaseUntil, (DateTime?)null),
                CancellationToken.None);
            throw;
        }

        var issued = Now;
        var cipher = vault.Protect(c.UserId, fresh.AccessToken);
        DateTime? expires = fresh.ExpiresIn is { } lasts ? issued + lasts : null;
        // Canvas keeps the refresh token on a refresh; should one ever come back, it replaces the stored one.
        var refreshCipher = fresh.RefreshToken is { } r ? vault.Protect(SecretKind.CanvasRefreshToken, c.UserId, r)
            : c.EncryptedRefreshToken;
        var saved = await mine.ExecuteUpdateAsync(s => s
            .SetProperty(x => x.EncryptedToken, cipher)
            .SetProperty(x => x.EncryptedRefreshToken, refreshCipher)
            .SetProperty(x => x.TokenStoredAt, issued)
            .SetProperty(x => x.TokenExpiresAt, expires)
            .SetProperty(x => x.RefreshLeaseOwner, (string?)null)
            .SetProperty(x => x.RefreshLeaseUntil, (DateTime?)null)
            .SetProperty(x => x.UpdatedAt, issued), CancellationToken.None);
        // Lost the lease while Canvas answered (it outlasted RefreshLease): the token is still good for this session.
        if (saved == 0) LogLeaseLostDuringRefresh(logger, c.Id);
        LogRefreshed(logger, c.Id, fresh.ExpiresIn?.TotalSeconds ?? 0);
        return new AccessTokenState(fresh.AccessToken, cipher, issued, expires);
    }

    private AccessTokenState Stored(CanvasConnection c) =>
        vault.TryUnprotect(c.UserId, c.EncryptedToken!, out var token)
            ? new AccessTokenState(token, c.EncryptedToken!, c.TokenStoredAt, c.TokenExpiresAt)
            : throw new CanvasTokenException(DeadTokenReason.Invalid, null,
                "the stored access token cannot be decrypted; reconnect with Canvas");

    /// <summary>
    /// Asks Canvas to delete the grant (DELETE /login/oauth2/token with the access token, refreshed first if it has
    /// expired). Never throws: the outcome is reported, and the local tokens are deleted either way.
    /// </summary>
    public async Task<(bool Revoked, string? Problem)> RevokeAsync(CanvasConnection c, CancellationToken ct)
    {
        if (c.EncryptedToken is null || !vault.TryUnprotect(c.UserId, c.EncryptedToken, out var token))
            return (false, "no readable access token to revoke with");
        var credential = CredentialFor(c, token);
        try
        {
            var baseUrl = new Uri(c.BaseUrl);
            var current = await credential.AccessTokenAsync(ct);
            try
            {
                await oauth.RevokeAsync(baseUrl, current, ct);
            }
            catch (CanvasTokenException e) when (e.Reason == DeadTokenReason.Expired)
            {
                await credential.RenewAsync(current, ct);
                await oauth.RevokeAsync(baseUrl, await credential.AccessTokenAsync(ct), ct);
            }

            return (true, null);
        }
        catch (Exception e) when (e is CanvasException or ClientSecretUnreadableException)
        {
            LogRevokeFailed(logger, c.Id, e.Message);
            return (false, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Connection {ConnectionId}: OAuth2 access token refreshed (valid {ExpiresInSeconds:0} s)")]
    private static partial void LogRefreshed(ILogger logger, long connectionId, double expiresInSeconds);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: Canvas refused to refresh the access token ({Error}: {Description}); the connection needs reauthorization")]
    private static partial void LogRefreshRefused(ILogger logger, long connectionId, string error, string description);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: the refresh outlasted its lease; the new token was used but not stored")]
    private static partial void LogLeaseLostDuringRefresh(ILogger logger, long connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId}: the grant could not be revoked at Canvas: {Problem}")]
    private static partial void LogRevokeFailed(ILogger logger, long connectionId, string problem);
}
