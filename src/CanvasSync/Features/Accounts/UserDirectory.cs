using System.Globalization;
using CanvasSync.Data;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Accounts;

internal sealed record IssuedKey(long UserId, string UserName, bool IsAdmin, string ApiKey);

internal sealed record UserSummary(long Id, string Name, bool IsAdmin, DateTime CreatedAt, int ActiveKeys, int Connections);

/// <summary>
/// A user found by an API key: who, with which key (so a cookie session can be checked against it), and the user's
/// Canvas connection if there is one (read in the same statement).
/// </summary>
internal sealed record AuthenticatedKey(long UserId, string UserName, bool IsAdmin, long KeyId, KeyConnection? Connection = null);

internal sealed record KeyConnection(long Id, long CanvasUserId, string BaseUrl);

/// <summary>A user name or id the directory does not know, or a name that is taken: the CLI prints the message.</summary>
internal sealed class UserDirectoryException(string message) : Exception(message);

/// <summary>CanvasSync users and their API keys: what `canvas-sync users ...` does and what authentication asks.</summary>
internal static class UserDirectory
{
    public static async Task<IssuedKey> AddAsync(CanvasSyncDbContext db, string name, bool isAdmin, DateTime now, CancellationToken ct)
    {
        name = name.Trim();
        if (name.Length is 0 or > 200) throw new UserDirectoryException("a user name has 1 to 200 characters");
        if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new UserDirectoryException("a user name cannot be a number (numbers mean user ids)");
        if (await db.Users.AnyAsync(u => u.Name == name, ct)) throw new UserDirectoryException($"a user named {name} already exists");
        var user = new User { Name = name, IsAdmin = isAdmin, CreatedAt = now };
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        return await IssueKeyAsync(db, user, now, ct);
    }

    /// <summary>A new key for an existing user; the user's other keys stay valid.</summary>
    public static async Task<IssuedKey> IssueKeyAsync(CanvasSyncDbContext db, string userRef, DateTime now, CancellationToken ct) =>
        await IssueKeyAsync(db, await FindAsync(db, userRef, ct), now, ct);

    /// <summary>A key for one browser session (Sign in with Canvas): never shown, so it comes back ready to sign the session in.</summary>
    public static async Task<AuthenticatedKey> IssueSessionKeyAsync(CanvasSyncDbContext db, long userId, DateTime now, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == userId, ct);
        var (_, keyId) = await AddKeyAsync(db, user, now, ct);
        return new AuthenticatedKey(user.Id, user.Name, user.IsAdmin, keyId);
    }

    private static async Task<IssuedKey> IssueKeyAsync(CanvasSyncDbContext db, User user, DateTime now, CancellationToken ct) =>
        new(user.Id, user.Name, user.IsAdmin, (await AddKeyAsync(db, user, now, ct)).Key);

    private static async Task<(string Key, long KeyId)> AddKeyAsync(CanvasSyncDbContext db, User user, DateTime now, CancellationToken ct)
    {
        var key = ApiKeys.NewKey();
        var row = new ApiKey { UserId = user.Id, Prefix = ApiKeys.PrefixOf(key), Hash = ApiKeys.HashOf(key), CreatedAt = now };
        db.ApiKeys.Add(row);
        await db.SaveChangesAsync(ct);
        return (key, row.Id);
    }

    public static async Task<IReadOnlyList<UserSummary>> ListAsync(CanvasSyncDbContext db, CancellationToken ct) =>
        await db.Users.AsNoTracking().OrderBy(u => u.Id).Select(u => new UserSummary(u.Id, u.Name, u.IsAdmin, u.CreatedAt,
            db.ApiKeys.Count(k => k.UserId == u.Id && k.RevokedAt == null), db.Connections.Count(c => c.UserId == u.Id))).ToListAsync(ct);

    /// <summary>Revokes the user's keys (or the one with <paramref name="prefix"/>); they are refused from the next request on.</summary>
    public static async Task<int> RevokeKeysAsync(CanvasSyncDbContext db, string userRef, string? prefix, DateTime now,
        CancellationToken ct)
    {
        var user = await FindAsync(db, userRef, ct);
        var keys = db.ApiKeys.Where(k => k.UserId == user.Id && k.RevokedAt == null);
        if (prefix is not null) keys = keys.Where(k => k.Prefix == prefix);
        var revoked = await keys.ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), ct);
        return revoked > 0 || prefix is null ? revoked
            : throw new UserDirectoryException($"{user.Name} has no active key starting {prefix}");
    }

    /// <summary>Removes the user with everything they own: keys, connections, stored tokens and mirrored data.</summary>
    public static async Task<string> RemoveAsync(CanvasSyncDbContext db, string userRef, CancellationToken ct)
    {
        var user = await FindAsync(db, userRef, ct);
        db.Users.Remove(user);
        await db.SaveChangesAsync(ct);
        return user.Name;
    }

    /// <summary>The user an active key belongs to, or null. One indexed lookup, no cache: a revoked key fails at once.</summary>
    public static async Task<AuthenticatedKey?> AuthenticateAsync(CanvasSyncDbContext db, string? key, CancellationToken ct)
    {
        if (!ApiKeys.LooksLikeKey(key)) return null;
        // Every API request runs this, so it is one plain statement (EF's per-query overhead was most of a small
        // read's cost). On PostgreSQL the same statement makes the key's user the connection's user (row-level
        // security), and the connection stays open for the rest of the request, which then needs no second setting.
        await db.Database.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(db.Database.GetDbConnection(), null,
            "SELECT u.id, u.name, u.is_admin, k.id, c.id, c.canvas_user_id, c.base_url" + RowLevelSecurity.SetsUser(db, "u.id")
            + " FROM api_keys k JOIN users u ON u.id = k.user_id LEFT JOIN canvas_connections c ON c.user_id = u.id WHERE k.hash = @hash AND k.revoked_at IS NULL");
        Sql.Add(cmd, "hash", ApiKeys.HashOf(key!));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var connection = r.IsDBNull(4) ? null : new KeyConnection(r.GetInt64(4), r.GetInt64(5), r.GetString(6));
        return new AuthenticatedKey(r.GetInt64(0), r.GetString(1), r.GetBoolean(2), r.GetInt64(3), connection);
    }

    public static async Task<bool> IsKeyActiveAsync(CanvasSyncDbContext db, long keyId, CancellationToken ct) =>
        await db.ApiKeys.AnyAsync(k => k.Id == keyId && k.RevokedAt == null, ct);

    /// <summary>A user by id (digits) or by name.</summary>
    public static async Task<User> FindAsync(CanvasSyncDbContext db, string userRef, CancellationToken ct)
    {
        var user = long.TryParse(userRef, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct)
            : await db.Users.FirstOrDefaultAsync(u => u.Name == userRef, ct);
        return user ?? throw new UserDirectoryException($"no user {userRef}");
    }
}
