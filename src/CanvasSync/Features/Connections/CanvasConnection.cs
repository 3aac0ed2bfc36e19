namespace CanvasSync.Features.Connections;

internal enum ConnectionStatus { Ok, NeedsReauth, Error, Disconnected }

/// <summary>One user's link to one Canvas: where, as whom, and the token (only ever stored encrypted).</summary>
internal sealed class CanvasConnection
{
    public long Id { get; set; }
    public long UserId { get; set; }
    /// <summary>Normalised base URL, e.g. https://canvas.example.edu (no trailing slash, no /api/v1).</summary>
    public string BaseUrl { get; set; } = "";
    public long CanvasUserId { get; set; }
    public string CanvasUserName { get; set; } = "";
    /// <summary>Ciphertext from Data Protection; never the token itself.</summary>
    public string? EncryptedToken { get; set; }
    /// <summary>Set for a connection made with OAuth2 (Connect with Canvas): the developer key it was made with.</summary>
    public long? InstanceId { get; set; }
    /// <summary>OAuth2 only: the refresh token, encrypted. EncryptedToken is then the current access token.</summary>
    public string? EncryptedRefreshToken { get; set; }
    /// <summary>OAuth2 only: the node refreshing the access token now, and until when (one refresh at a time).</summary>
    public string? RefreshLeaseOwner { get; set; }
    public DateTime? RefreshLeaseUntil { get; set; }
    /// <summary>When the current token was validated and stored (for OAuth2, when the access token was issued).</summary>
    public DateTime? TokenStoredAt { get; set; }
    /// <summary>When Canvas says the token expires (null: it does not, or Canvas would not say).</summary>
    public DateTime? TokenExpiresAt { get; set; }
    public ConnectionStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? LastFullSyncAt { get; set; }
    public DateTime? LastDeltaAt { get; set; }
    /// <summary>When the last slow lane (or full read) of this connection started: the next one is due a period later.</summary>
    public DateTime? LastSlowLaneAt { get; set; }
    /// <summary>
    /// Canvas refused GraphQL to this connection (docs/canvas.md §7): its deltas read REST until then. Kept here, so
    /// every node and a restarted one know it, rather than each asking again.
    /// </summary>
    public DateTime? GraphQLRefusedUntil { get; set; }
    public string? LastErrorCode { get; set; }
    /// <summary>The last change version handed out for this connection's rows; only <see cref="Data.ChangeVersions"/> moves it.</summary>
    public long ChangeVersion { get; set; }
}

internal static class CanvasConnectionQueries
{
    /// <summary>Connections that can be synced: a stored token, neither waiting for reauth nor disconnected.</summary>
    public static IQueryable<CanvasConnection> Syncable(this IQueryable<CanvasConnection> connections) =>
        connections.Where(c => c.EncryptedToken != null && (c.Status == ConnectionStatus.Ok || c.Status == ConnectionStatus.Error));
}
