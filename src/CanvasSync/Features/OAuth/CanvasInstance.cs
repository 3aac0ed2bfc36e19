namespace CanvasSync.Features.OAuth;

/// <summary>
/// A Canvas this deployment holds a developer key for, so its users can connect with "Connect with Canvas" (OAuth2)
/// instead of pasting a personal token. The client secret is only ever stored encrypted.
/// </summary>
internal sealed class CanvasInstance
{
    public long Id { get; set; }
    /// <summary>Normalised base URL, as connections store it (https://canvas.example.edu).</summary>
    public string BaseUrl { get; set; } = "";
    /// <summary>What users see on the button ("Example University Canvas").</summary>
    public string Name { get; set; } = "";
    /// <summary>The developer key's id (Canvas calls it client_id).</summary>
    public string ClientId { get; set; } = "";
    /// <summary>Ciphertext from Data Protection; never the secret itself.</summary>
    public string EncryptedClientSecret { get; set; } = "";
    /// <summary>Where Canvas sends the browser back: one of the developer key's redirect URIs, normally
    /// {CanvasSync}/oauth/callback.</summary>
    public string RedirectUri { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// One authorization in flight: the state sent to Canvas (stored as its hash), whose it is, the PKCE verifier
/// (encrypted) and, for the dashboard, the hash of a cookie set in the browser that started it. Used once.
/// </summary>
internal sealed class OAuthState
{
    public long Id { get; set; }
    public string StateHash { get; set; } = "";
    /// <summary>Who connects; null for "Sign in with Canvas", where Canvas says who it is (the callback finds or makes the user).</summary>
    public long? UserId { get; set; }
    public long InstanceId { get; set; }
    public string EncryptedVerifier { get; set; } = "";
    public string RedirectUri { get; set; } = "";
    /// <summary>Set when a browser started the flow: the callback must come from that browser.</summary>
    public string? BrowserHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? UsedAt { get; set; }
}
