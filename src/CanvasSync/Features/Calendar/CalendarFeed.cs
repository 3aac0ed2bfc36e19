namespace CanvasSync.Features.Calendar;

/// <summary>
/// A user's calendar feed: one secret URL at a time. The token is found by its SHA-256 (as API keys are) and kept
/// encrypted besides, so GET /api/v1/calendar can show the URL again; revoking deletes the row and the URL with it.
/// </summary>
internal sealed class CalendarFeed
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public string TokenHash { get; set; } = "";
    public string EncryptedToken { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}
