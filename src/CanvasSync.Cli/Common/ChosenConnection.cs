using CanvasSync.Data;
using CanvasSync.Features.Connections;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Cli.Common;

/// <summary>The connection a command works on: the one given with --connection, or the database's only one.</summary>
internal static class ChosenConnection
{
    /// <summary>
    /// Asks Canvas whose the token is, storing nothing: a wrong URL or token is a <see cref="ConnectRejectedException"/>
    /// (the API's words and code). The URL goes through the service's own rules; the CLI allows loopback and http, as
    /// it is the operator's machine.
    /// </summary>
    public static async Task<CanvasIdentity> ValidateAsync(IServiceProvider services, string url, string token, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<CanvasConnector>().ValidateAsync(url, token, ct);
    }

    /// <summary>The operator's connection to the Canvas Canvas vouched for (<see cref="ValidateAsync"/>), made on first use.</summary>
    public static Task<long> OfCanvasAsync(IServiceProvider services, CanvasIdentity identity, CancellationToken ct) =>
        OperatorConnections.EnsureAsync(services.GetRequiredService<IDbContextFactory<CanvasSyncDbContext>>(), identity.BaseUrl,
            TimeProvider.System, ct);

    public static async Task<OwnConnection> FindAsync(CanvasSyncDbContext db, long? chosen, CancellationToken ct)
    {
        var all = await db.Connections.AsNoTracking().Select(c => new OwnConnection(c.Id, c.CanvasUserId, c.BaseUrl)).ToListAsync(ct);
        if (chosen is null && all.Count != 1)
            throw new FormatException(all.Count == 0 ? "the database has no connection yet: run canvas-sync sync first"
                : $"several connections ({string.Join(", ", all.Select(c => c.Id))}): choose one with --connection");
        return (chosen is null ? all[0] : all.FirstOrDefault(c => c.Id == chosen)) ?? throw new FormatException($"no connection {chosen}");
    }
}
