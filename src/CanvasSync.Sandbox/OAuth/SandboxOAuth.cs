using System.Security.Cryptography;
using CanvasSync.Sandbox.World;
using Microsoft.AspNetCore.WebUtilities;

namespace CanvasSync.Sandbox.OAuth;

/// <summary>A developer key: Canvas's client_id is the key's numeric id; redirect URIs are matched as prefixes.</summary>
public sealed record SandboxDeveloperKey(string ClientId, string ClientSecret, IReadOnlyList<string> RedirectUris)
{
    public bool Allows(string? redirectUri) =>
        redirectUri is not null && RedirectUris.Any(r => redirectUri.StartsWith(r, StringComparison.OrdinalIgnoreCase));
}

/// <summary>One user's authorization of one developer key: its refresh token and the access token it currently issues.</summary>
internal sealed class SGrant
{
    public required string ClientId { get; init; }
    public required long UserId { get; init; }
    public required string RefreshToken { get; init; }
    public required string AccessToken { get; set; }
    /// <summary>Every access token the grant issued, the current one last (for tests that search for leaked secrets).</summary>
    public List<string> Issued { get; } = [];
    public required DateTime CreatedAt { get; init; }
    public int Refreshes { get; set; }
    public bool Revoked { get; set; }
}

internal sealed record SCode(string ClientId, long UserId, string RedirectUri, string? Challenge, DateTime ExpiresAt);

/// <summary>
/// The sandbox's OAuth2 provider state: developer keys, authorization codes (10 minutes, once), grants. Access tokens
/// are ordinary world tokens with an expiry, so the API authenticates them as it does every token.
/// </summary>
internal sealed class SandboxOAuth(SandboxWorld world, SandboxSettings settings, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SCode> _codes = new(StringComparer.Ordinal);
    private readonly List<SGrant> _grants = [];

    public SandboxDeveloperKey Key { get; } = new("10000000000" + RandomNumberGenerator.GetInt32(100, 999),
        "sandbox-secret-" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24)), ["http://127.0.0.1", "http://localhost"]);

    public int RefreshRequests { get; private set; }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public string IssueCode(string clientId, long userId, string redirectUri, string? challenge)
    {
        var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(64));
        lock (_lock) _codes[code] = new SCode(clientId, userId, redirectUri, challenge, Now.AddMinutes(10));
        return code;
    }

    /// <summary>The code's data, removed (a code is used once); null if unknown or past its 10 minutes.</summary>
    public SCode? TakeCode(string code)
    {
        lock (_lock)
        {
            if (!_codes.Remove(code, out var found) || found.ExpiresAt < Now) return null;
            return found;
        }
    }

    public SGrant Grant(string clientId, long userId)
    {
        var grant = new SGrant
        {
            ClientId = clientId,
            UserId = userId,
            RefreshToken = NewToken(),
            AccessToken = NewAccessToken(userId),
            CreatedAt = Now
        };
        grant.Issued.Add(grant.AccessToken);
        lock (_lock) _grants.Add(grant);
        return grant;
    }

    /// <summary>Canvas regenerates the grant's access token: the previous one is unknown from now on.</summary>
    public SGrant? Refresh(string refreshToken)
    {
        lock (_lock)
        {
            RefreshRequests++;
            var grant = _grants.FirstOrDefault(g => g.RefreshToken == refreshToken && !g.Revoked);
            if (grant is null) return null;
            using (world.Write()) world.Tokens.Remove(grant.AccessToken);
            grant.AccessToken = NewAccessToken(grant.UserId);
            grant.Issued.Add(grant.AccessToken);
            grant.Refreshes++;
            return grant;
        }
    }

    /// <summary>DELETE /login/oauth2/token: the access token goes, and with it its grant (the refresh token).</summary>
    public void Delete(string accessToken)
    {
        lock (_lock)
        {
            using (world.Write()) world.Tokens.Remove(accessToken);
            foreach (var g in _grants.Where(g => g.AccessToken == accessToken)) g.Revoked = true;
        }
    }

    /// <summary>The control: revoke every grant of a user (as "Remove" under Approved integrations does), or of everyone.</summary>
    public int Revoke(long? userId) => ForGrants(userId, g =>
    {
        g.Revoked = true;
        world.Tokens.Remove(g.AccessToken);
    });

    /// <summary>The control: the grants' current access tokens expire now (refresh tokens stay good).</summary>
    public int ExpireAccess(long? userId) => ForGrants(userId, g =>
    {
        if (world.Tokens.TryGetValue(g.AccessToken, out var t)) world.Add(t with { ExpiresAt = Now.AddSeconds(-1) });
    });

    public IReadOnlyList<SGrant> Grants()
    {
        lock (_lock) return _grants.ToList();
    }

    private int ForGrants(long? userId, Action<SGrant> change)
    {
        lock (_lock)
        {
            var live = _grants.Where(g => !g.Revoked && (userId is null || g.UserId == userId)).ToList();
            using (world.Write()) live.ForEach(change);
            return live.Count;
        }
    }

    private string NewAccessToken(long userId)
    {
        var token = NewToken();
        using (world.Write()) world.Add(new SToken(token, userId, TokenState.Active, Now.AddSeconds(settings.AccessTokenSeconds)));
        return token;
    }

    /// <summary>Shaped like Canvas's, as the generated tokens are.</summary>
    private static string NewToken() => AwkwardContent.Token(Random.Shared);
}
