using System.Globalization;
using CanvasSync.Data;
using CanvasSync.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Calendar;

/// <summary>Issuing, showing, finding and revoking a user's calendar feed token ("csc_" + 256 random bits).</summary>
internal sealed class CalendarFeeds(IDataProtectionProvider protection, TokenVault vault, TimeProvider time)
{
    public const string Prefix = "csc_";

    /// <summary>The user's token, made on first use (or anew when the stored one can no longer be decrypted).</summary>
    public async Task<(string Token, DateTime CreatedAt)> GetOrCreateAsync(CanvasSyncDbContext db, long userId, CancellationToken ct)
    {
        var feed = await db.CalendarFeeds.FirstOrDefaultAsync(f => f.UserId == userId, ct);
        if (feed is not null && TryUnprotect(userId, feed.EncryptedToken, out var existing)) return (existing, feed.CreatedAt);
        if (feed is not null) db.CalendarFeeds.Remove(feed); // unreadable after a lost master key: its URL dies, a new one is made

        var token = Prefix + BearerSecrets.New();
        var fresh = new CalendarFeed
        {
            UserId = userId,
            TokenHash = BearerSecrets.HashOf(token),
            EncryptedToken = Protector(userId).Protect(token),
            CreatedAt = time.GetUtcNow().UtcDateTime
        };
        db.CalendarFeeds.Add(fresh);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (feed is null)
        {
            // Two first asks at once: the other one's row won (one feed per user); show that one.
            db.ChangeTracker.Clear();
            var theirs = await db.CalendarFeeds.AsNoTracking().FirstAsync(f => f.UserId == userId, ct);
            if (TryUnprotect(userId, theirs.EncryptedToken, out var theirToken)) return (theirToken, theirs.CreatedAt);
            throw;
        }

        return (token, fresh.CreatedAt);
    }

    /// <summary>Whose feed this token opens; null for an unknown or revoked one.</summary>
    public static async Task<long?> FindUserAsync(CanvasSyncDbContext db, string? token, CancellationToken ct)
    {
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 100) return null;
        var hash = BearerSecrets.HashOf(token);
        return await db.CalendarFeeds.Where(f => f.TokenHash == hash).Select(f => (long?)f.UserId).FirstOrDefaultAsync(ct);
    }

    /// <summary>Revokes the user's feed URL; false when there was none.</summary>
    public static async Task<bool> RevokeAsync(CanvasSyncDbContext db, long userId, CancellationToken ct) =>
        await db.CalendarFeeds.Where(f => f.UserId == userId).ExecuteDeleteAsync(ct) > 0;

    private IDataProtector Protector(long userId) =>
        protection.CreateProtector("CanvasSync.CalendarFeedToken", "v1", userId.ToString(CultureInfo.InvariantCulture));

    private bool TryUnprotect(long userId, string ciphertext, out string token) =>
        vault.TryUnprotect(Protector(userId), ciphertext, out token);
}
