using CanvasSync.Data;
using CanvasSync.Features.Changes;
using CanvasSync.Features.SyncRuns;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Connections;

/// <summary>A user's connection as GET /api/v1/canvas/status and the dashboard's home page show it.</summary>
internal static class ConnectionState
{
    public static async Task<ConnectionStatusResponse> ReadAsync(CanvasSyncDbContext db, long userId, TimeSpan staleAfter, DateTime now,
        CancellationToken ct)
    {
        var c = await db.Connections.AsNoTracking().FirstOrDefaultAsync(x => x.UserId == userId, ct);
        if (c is null)
            return new ConnectionStatusResponse(userId, false, null, "disconnected", null, null, null, null, null, null, null, [],
                "never_synced", null,
                new Dictionary<string, long>(), null);
        var runs = db.SyncRuns.AsNoTracking().Where(r => r.ConnectionId == c.Id);
        var last = await runs.Finished().Where(r => !r.DryRun).OrderByDescending(r => r.Id)
            .Select(r => new LastSyncView(r.Id, r.Status.ToString(), r.Type.ToString(), r.QueuedAt, r.FinishedAt)).FirstOrDefaultAsync(ct);
        var busy = await runs.Unfinished().AnyAsync(ct);
        var lastComplete = LastComplete(c);
        var state = busy ? "syncing"
            : lastComplete is null ? "never_synced"
            : now - lastComplete > staleAfter ? "stale"
            : "up_to_date";
        return new ConnectionStatusResponse(userId, c.EncryptedToken is not null, c.BaseUrl, SnakeCase.From(c.Status.ToString()),
            c.CanvasUserId, c.CanvasUserName,
            c.TokenStoredAt, c.TokenExpiresAt, c.LastFullSyncAt, c.LastDeltaAt, c.LastErrorCode, ConnectionEndpoints.Warnings(c, now),
                state,
            last is null ? null : last with { Status = SnakeCase.From(last.Status), SyncType = SnakeCase.From(last.SyncType) },
            await ChangeFeed.CountsAsync(db, c.Id, ct), ConnectionEndpoints.AuthMethod(c));
    }

    /// <summary>When the connection last finished a complete sync, full or delta.</summary>
    public static DateTime? LastComplete(CanvasConnection c) => LastComplete(c.LastFullSyncAt, c.LastDeltaAt);

    public static DateTime? LastComplete(DateTime? lastFull, DateTime? lastDelta) => lastFull > lastDelta || lastDelta is null ? lastFull
        : lastDelta;
}
