namespace CanvasSync.Features.Accounts;

/// <summary>
/// An API key of a user. Only its SHA-256 is stored: a key is 256 random bits, so a fast hash is enough (nothing to
/// brute-force) and lets every request be checked with one indexed lookup. The prefix is what lists show.
/// </summary>
internal sealed class ApiKey
{
    public long Id { get; set; }
    public long UserId { get; set; }
    /// <summary>The first characters of the key ("csk_AbCd1234"), to tell keys apart; not enough to use one.</summary>
    public string Prefix { get; set; } = "";
    /// <summary>Lower-case hex SHA-256 of the whole key.</summary>
    public string Hash { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}
