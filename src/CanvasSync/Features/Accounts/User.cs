namespace CanvasSync.Features.Accounts;

/// <summary>A CanvasSync user (not a Canvas user): the owner of connections and API keys.</summary>
internal sealed class User
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public bool IsAdmin { get; set; }
    public DateTime CreatedAt { get; set; }
}
