using CanvasSync.Canvas.Wire;

namespace CanvasSync.Canvas;

/// <summary>
/// The reads that are the client's own: who the token belongs to and the token's record. A mirrored collection is read
/// through its own path and wire type (<c>SyncedCollection&lt;T&gt;.PagesAsync</c>).
/// </summary>
public sealed partial class CanvasSession
{
    private static readonly CanvasWireContext Wire = CanvasWireContext.Default;

    public Task<CanvasItem<CanvasUser>> GetSelfAsync(CancellationToken ct = default) =>
        GetAsync("users_self", "/api/v1/users/self", Wire.CanvasUser, ct);

    /// <summary>
    /// The token's own record, looked up by its hint (the first 5 characters after the shard prefix), for its
    /// expires_at. Canvas may refuse this to some tokens; callers treat any failure as "expiry unknown".
    /// </summary>
    public Task<CanvasItem<CanvasAccessToken>> GetOwnTokenAsync(string tokenHint, CancellationToken ct = default) =>
        GetAsync("token", "/api/v1/users/self/tokens/" + Uri.EscapeDataString(tokenHint), Wire.CanvasAccessToken, ct);

    public Task<CanvasItem<CanvasUser>> GetProfileAsync(CancellationToken ct = default) =>
        GetAsync("profile", "/api/v1/users/self/profile", Wire.CanvasUser, ct);
}
