using System.Security.Claims;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Connections;

/// <summary>What a read of the mirror needs to know of the caller's connection.</summary>
public sealed record OwnConnection(long Id, long CanvasUserId, string BaseUrl);

/// <summary>The caller's Canvas connection (a user has at most one). Every read of user data starts here.</summary>
public static class CallerConnection
{
    public static Task<CanvasConnection?> FindAsync(CanvasSyncDbContext db, ClaimsPrincipal caller, CancellationToken ct)
    {
        var userId = caller.UserId();
        return db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.UserId == userId, ct);
    }

    /// <summary>Only the columns a read of the mirror needs.</summary>
    public static Task<OwnConnection?> ForReadsAsync(CanvasSyncDbContext db, ClaimsPrincipal caller, CancellationToken ct)
    {
        var userId = caller.UserId();
        return db.Connections.AsNoTracking().Where(c => c.UserId == userId)
            .Select(c => new OwnConnection(c.Id, c.CanvasUserId, c.BaseUrl)).FirstOrDefaultAsync(ct);
    }

    /// <summary>The answer to a read by a user who never connected Canvas (a disconnected user keeps the data and can read it).</summary>
    public static ProblemHttpResult NotConnected() =>
        TypedResults.Problem("no Canvas connection: POST /api/v1/canvas/connect first", statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["code"] = "not_connected" });
}
