namespace CanvasSync.Data;

/// <summary>
/// What every mirrored Canvas row has: the connection it belongs to, its 64-bit Canvas id, the JSON exactly as Canvas
/// last served it, and when it was first and last seen. Sync never deletes a row: it sets <see cref="DeletedAt"/>.
/// </summary>
internal abstract class MirroredEntity : IChangeTracked
{
    public long Id { get; set; }
    public long ConnectionId { get; set; }
    public long CanvasId { get; set; }
    /// <summary>The item's JSON as served, byte for byte (text, not jsonb, which would reorder keys).</summary>
    public string RawJson { get; set; } = "";
    /// <summary>A hash of <see cref="RawJson"/>, to tell changed rows where Canvas has no updated_at.</summary>
    public string ContentHash { get; set; } = "";
    public DateTime FirstSeenAt { get; set; }
    public DateTime LastSeenAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    public long CreatedVersion { get; set; }
    public long ChangeVersion { get; set; }
    public DateTime ChangedAt { get; set; }
}
