using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Connections;

/// <summary>
/// The connection the command line syncs into: owned by the "operator" user, one per Canvas base URL. The CLI is
/// given the token on each run and never stores it (no ciphertext, nothing to leak).
/// </summary>
internal static class OperatorConnections
{
    public const string OperatorName = "operator";

    public static async Task<long> EnsureAsync(IDbContextFactory<CanvasSyncDbContext> contexts, Uri baseUrl, TimeProvider time,
        CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var key = baseUrl.GetLeftPart(UriPartial.Authority);
        await using var db = contexts.CreateDbContext();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Name == OperatorName, ct);
        if (user is null)
        {
            user = new User { Name = OperatorName, IsAdmin = true, CreatedAt = now };
            db.Users.Add(user);
            await db.SaveChangesAsync(ct);
        }

        var connection = await db.Connections.FirstOrDefaultAsync(c => c.UserId == user.Id && c.BaseUrl == key, ct);
        if (connection is null)
        {
            connection = new CanvasConnection
            {
                UserId = user.Id,
                BaseUrl = key,
                Status = ConnectionStatus.Ok,
                CreatedAt = now,
                UpdatedAt = now
            };
            db.Connections.Add(connection);
            await db.SaveChangesAsync(ct);
        }

        return connection.Id;
    }
}
