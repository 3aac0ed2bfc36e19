using System.Globalization;
using System.Security.Claims;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Connections;

/// <summary>What a read of the mirror needs to know of the caller's connection.</summary>
internal sealed record OwnConnection(long Id, long CanvasUserId, string BaseUrl);

/// <summary>The caller's Canvas connection (a user has at most one). Every read of user data starts here.</summary>
internal static class CallerConnection
{
    public static Task<CanvasConnection?> FindAsync(CanvasSyncDbContext db, ClaimsPrincipal caller, CancellationToken ct)
    {
        var userId = caller.UserId();
        return db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.UserId == userId, ct);
    }

    /// <summary>Only the columns a read of the mirror needs.</summary>
    public static async Task<OwnConnection?> ForReadsAsync(CanvasSyncDbContext db, ClaimsPrincipal caller, CancellationToken ct)
    {
        // A read makes several queries: one open connection for all of them, not an open (and on SQLite a PRAGMA, on
        // PostgreSQL the row-level security setting) per query. The context closes it when the request ends. Every
        // read starts here, so this is one plain statement.
        await db.Database.OpenConnectionAsync(ct);
        // An API key's lookup read the connection in the same statement.
        if (caller.FindFirstValue(CallerClaims.ConnectionId) is { } id)
            return new OwnConnection(long.Parse(id, CultureInfo.InvariantCulture),
                long.Parse(caller.FindFirstValue(CallerClaims.CanvasUserId)!, CultureInfo.InvariantCulture),
                caller.FindFirstValue(CallerClaims.CanvasUrl)!);
        await using var cmd = Sql.Command(db.Database.GetDbConnection(), null,
            "SELECT id, canvas_user_id, base_url FROM canvas_connections WHERE user_id = @u");
        Sql.Add(cmd, "u", caller.UserId());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new OwnConnection(r.GetInt64(0), r.GetInt64(1), r.GetString(2)) : null;
    }

    /// <summary>The answer to a read by a user who never connected Canvas (a disconnected user keeps the data and can read it).</summary>
    public static ProblemHttpResult NotConnected() =>
        TypedResults.Problem("no Canvas connection: POST /api/v1/canvas/connect first", statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["code"] = "not_connected" });
}
