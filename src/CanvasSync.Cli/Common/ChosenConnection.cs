using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Security;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Cli.Common;

/// <summary>The connection a command works on: the one given with --connection, or the database's only one.</summary>
internal static class ChosenConnection
{
    /// <summary>
    /// The operator's connection to the Canvas at --canvas-url (made on first use), by the service's own URL rules;
    /// the CLI allows loopback and http, as it is the operator's machine.
    /// </summary>
    public static async Task<long> OfCanvasUrlAsync(IServiceProvider services, string url, CancellationToken ct)
    {
        Uri baseUrl;
        try
        {
            baseUrl = services.GetRequiredService<CanvasUrlGuard>().Normalize(url);
        }
        catch (CanvasUrlRejectedException e)
        {
            throw new FormatException("--canvas-url: " + e.Message);
        }

        return await OperatorConnections.EnsureAsync(services.GetRequiredService<DatabaseTarget>(), baseUrl, TimeProvider.System, ct);
    }

    public static async Task<OwnConnection> FindAsync(CanvasSyncDbContext db, long? chosen, CancellationToken ct)
    {
        var all = await db.Connections.AsNoTracking().Select(c => new OwnConnection(c.Id, c.CanvasUserId, c.BaseUrl)).ToListAsync(ct);
        if (chosen is null && all.Count != 1)
            throw new FormatException(all.Count == 0 ? "the database has no connection yet: run canvas-sync sync first" : $"several connections ({string.Join(", ", all.Select(c => c.Id))}): choose one with --connection");
        return (chosen is null ? all[0] : all.FirstOrDefault(c => c.Id == chosen)) ?? throw new FormatException($"no connection {chosen}");
    }
}
