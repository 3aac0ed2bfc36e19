namespace CanvasSync.Features.Monitoring.Alerts;

/// <summary>An alert that went out (to every configured channel): the cool-down looks here, across nodes and restarts.</summary>
internal sealed class SentAlert
{
    public long Id { get; set; }
    public long ConnectionId { get; set; }
    public long RunId { get; set; }
    /// <summary>"failed" or "needs_reauth".</summary>
    public string Kind { get; set; } = "";
    public DateTime SentAt { get; set; }
}
