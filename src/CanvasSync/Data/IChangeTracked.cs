namespace CanvasSync.Data;

/// <summary>
/// A row the change feed serves. Every write that changes it (created, updated, tombstoned) stamps the connection's
/// next change version, taken in the writing transaction; see <see cref="ChangeVersions"/>.
/// </summary>
internal interface IChangeTracked
{
    long Id { get; }
    long ConnectionId { get; }
    /// <summary>The version that created the row (or brought it back after a deletion): "created" to a reader behind it.</summary>
    long CreatedVersion { get; }
    /// <summary>The version of the row's last change; the feed's order is (version, entity type, id).</summary>
    long ChangeVersion { get; }
    /// <summary>When the row last changed in this mirror (not Canvas's updated_at).</summary>
    DateTime ChangedAt { get; }
    DateTime? DeletedAt { get; }
}
