namespace CanvasSync.Canvas;

/// <summary>
/// What a session presents to Canvas: a personal access token that never changes, or an OAuth2 access token that
/// is refreshed before it expires and once more when Canvas says "Expired access token".
/// </summary>
internal abstract class CanvasCredential
{
    /// <summary>Names the rate budget this credential spends (Canvas throttles per token); never the token itself.</summary>
    public abstract string BudgetKey { get; }

    /// <summary>The token for the next request; may refresh it first when it is about to expire.</summary>
    public abstract ValueTask<string> AccessTokenAsync(CancellationToken ct);

    /// <summary>
    /// Canvas refused <paramref name="rejected"/> as expired. True when a fresh token is ready (refreshed now, or by
    /// someone else meanwhile): the request is worth sending once more. False when this credential cannot refresh.
    /// Throws <see cref="CanvasTokenException"/> when Canvas refuses the refresh (the grant is gone).
    /// </summary>
    public abstract ValueTask<bool> RenewAsync(string rejected, CancellationToken ct);

    public static CanvasCredential Fixed(string token) => new FixedCredential(token);

    /// <summary>A personal access token: what it is, it stays.</summary>
    private sealed class FixedCredential : CanvasCredential
    {
        private readonly string _token;

        public FixedCredential(string token)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(token);
            _token = token;
            BudgetKey = "token:"
                + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
        }

        public override string BudgetKey { get; }
        public override ValueTask<string> AccessTokenAsync(CancellationToken ct) => ValueTask.FromResult(_token);
        public override ValueTask<bool> RenewAsync(string rejected, CancellationToken ct) => ValueTask.FromResult(false);
    }
}
