using CanvasSync.Canvas;

namespace CanvasSync.Features.OAuth;

/// <summary>
/// An OAuth2 connection's tokens for one session. The access token is refreshed shortly before it expires (a quarter
/// of its lifetime, at most 5 minutes, ahead) and when Canvas calls it expired; the refresh itself is
/// <see cref="OAuthGrants.RefreshAsync"/>, which takes the connection's database lease so that of several nodes only
/// one asks Canvas.
/// </summary>
internal sealed class OAuthCredential(long connectionId, AccessTokenState current, OAuthGrants grants, TimeProvider time) : CanvasCredential
{
    private static readonly TimeSpan MaxMargin = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private AccessTokenState _current = current;

    public override string BudgetKey { get; } = "connection:" + connectionId;

    public override async ValueTask<string> AccessTokenAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var token = _current;
        if (token.ExpiresAt is { } expires && expires - now <= Margin(token)) await RenewAsync(token.AccessToken, ct);
        else if (_refreshing.CurrentCount == 0)
        {
            // A refresh is under way and will void this token at Canvas: wait for its successor.
            await _refreshing.WaitAsync(ct);
            _refreshing.Release();
        }

        return _current.AccessToken;
    }

    public override async ValueTask<bool> RenewAsync(string rejected, CancellationToken ct)
    {
        await _refreshing.WaitAsync(ct);
        try
        {
            // Another request of this session renewed it while this one waited.
            if (_current.AccessToken != rejected) return true;
            _current = await grants.RefreshAsync(connectionId, _current.Ciphertext, ct);
            return true;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private static TimeSpan Margin(AccessTokenState token) =>
        token.IssuedAt is { } issued && token.ExpiresAt is { } expires && (expires - issued) / 4 < MaxMargin ? (expires - issued) / 4
            : MaxMargin;
}

/// <summary>An access token as stored: the plain token for requests, its ciphertext (which names this version of it) and its
/// times.</summary>
internal sealed record AccessTokenState(string AccessToken, string Ciphertext, DateTime? IssuedAt, DateTime? ExpiresAt);
