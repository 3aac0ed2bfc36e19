using CanvasSync.Data;
using CanvasSync.Features.Connections;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Cli.Common;

/// <summary>The connection a command works on: the one given with --connection, or the database's only one.</summary>
internal static class ChosenConnection
{
    public static async Task<OwnConnection> FindAsync(CanvasSyncDbContext db, long? chosen, CancellationToken ct)
    {
        var all = await db.Connections.AsNoTracking().Select(c => new OwnConnection(c.Id, c.CanvasUserId, c.BaseUrl)).ToListAsync(ct);
        if (chosen is null && all.Count != 1)
            throw new FormatException(all.Count == 0 ? "the database has no connection yet: run canvas-sync sync first" : $"several connections ({string.Join(", ", all.Select(c => c.Id))}): choose one with --connection");
        return (chosen is null ? all[0] : all.FirstOrDefault(c => c.Id == chosen)) ?? throw new FormatException($"no connection {chosen}");
    }
}
