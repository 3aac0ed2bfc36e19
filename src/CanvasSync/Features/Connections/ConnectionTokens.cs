using CanvasSync.Canvas;
using CanvasSync.Data;
using CanvasSync.Features.OAuth;
using CanvasSync.Security;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Connections;

/// <summary>
/// A connection's stored token, decrypted for a sync. A token that no longer decrypts (the master key was lost or
/// replaced) cannot be used by anyone: the connection goes to needs_reauth and its owner connects again.
/// </summary>
internal sealed class ConnectionTokens(IDbContextFactory<CanvasSyncDbContext> contexts, TokenVault vault, OAuthGrants grants,
    TimeProvider time)
{
    public const string UnreadableCode = "token_unreadable";

    /// <summary>The (access) token, or null (with the connection marked) when there is none or it cannot be read.</summary>
    public async Task<string?> GetAsync(long connectionId, CancellationToken ct) => (await ReadAsync(connectionId, ct))?.Token;

    /// <summary>
    /// What a sync presents to Canvas: the personal token, or for an OAuth2 connection its tokens, refreshed as they
    /// expire. Null (with the connection marked) when there is none or it cannot be read.
    /// </summary>
    public async Task<CanvasCredential?> CredentialAsync(long connectionId, CancellationToken ct) =>
        await ReadAsync(connectionId, ct) is not { } stored ? null
        : stored.Connection.InstanceId is null ? CanvasCredential.Fixed(stored.Token)
        : grants.CredentialFor(stored.Connection, stored.Token);

    private async Task<(CanvasConnection Connection, string Token)?> ReadAsync(long connectionId, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        var c = await db.Connections.AsNoTracking().FirstOrDefaultAsync(x => x.Id == connectionId, ct);
        if (c?.EncryptedToken is null) return null;
        if (vault.TryUnprotect(c.UserId, c.EncryptedToken, out var token)) return (c, token);
        await MarkUnreadableAsync(db, connectionId, ct);
        return null;
    }

    /// <summary>
    /// Tries every stored token (cheap: no Canvas call): marks the unreadable ones, and gives back their state to
    /// connections marked unreadable earlier whose token reads again (the right master key is back, or a key ring
    /// that was reloaded too late then). Returns how many of each.
    /// </summary>
    public async Task<(int Unreadable, int Restored)> CheckAllAsync(CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        var stored = await db.Connections.AsNoTracking()
            .Where(c => c.EncryptedToken != null && (c.Status != ConnectionStatus.NeedsReauth || c.LastErrorCode == UnreadableCode))
            .Select(c => new { c.Id, c.UserId, c.EncryptedToken, c.Status }).ToListAsync(ct);
        int unreadable = 0, restored = 0;
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var c in stored)
        {
            var readable = vault.TryUnprotect(c.UserId, c.EncryptedToken!, out _);
            if (!readable && c.Status != ConnectionStatus.NeedsReauth)
            {
                await MarkUnreadableAsync(db, c.Id, ct);
                unreadable++;
            }
            else if (readable && c.Status == ConnectionStatus.NeedsReauth)
            {
                restored += await db.Connections.Where(x => x.Id == c.Id && x.LastErrorCode == UnreadableCode).ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.Status, ConnectionStatus.Ok)
                    .SetProperty(x => x.LastErrorCode, (string?)null)
                    .SetProperty(x => x.UpdatedAt, now), ct);
            }
        }

        return (unreadable, restored);
    }

    private Task MarkUnreadableAsync(CanvasSyncDbContext db, long connectionId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return db.Connections.Where(x => x.Id == connectionId).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, ConnectionStatus.NeedsReauth)
            .SetProperty(x => x.LastErrorCode, UnreadableCode)
            .SetProperty(x => x.UpdatedAt, now), ct);
    }
}
