using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.SyncRuns;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Cli.Demo;

/// <summary>The demo's CanvasSync user, "demo": one fresh API key per run (the previous ones revoked).</summary>
internal static class DemoUser
{
    public const string Name = "demo";

    public static async Task<string> NewKeyAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var db = services.GetRequiredService<IDbContextFactory<CanvasSyncDbContext>>().CreateDbContext();
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        if (!await db.Users.AnyAsync(u => u.Name == Name, ct))
            return (await UserDirectory.AddAsync(db, Name, isAdmin: true, now, ct)).ApiKey;
        await UserDirectory.RevokeKeysAsync(db, Name, prefix: null, now, ct);
        return (await UserDirectory.IssueKeyAsync(db, Name, now, ct)).ApiKey;
    }

    /// <summary>Waits for a background run to end; the run with its counts.</summary>
    public static async Task<SyncRun> WaitForRunAsync(IServiceProvider services, long runId, CancellationToken ct)
    {
        var contexts = services.GetRequiredService<IDbContextFactory<CanvasSyncDbContext>>();
        while (true)
        {
            await using (var db = contexts.CreateDbContext())
            {
                var run = await db.SyncRuns.AsNoTracking().Include(r => r.Counts).SingleAsync(r => r.Id == runId, ct);
                if (!run.Status.IsUnfinished()) return run;
            }

            await Task.Delay(100, ct);
        }
    }

    public static async Task<long> ConnectionIdAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var db = services.GetRequiredService<IDbContextFactory<CanvasSyncDbContext>>().CreateDbContext();
        return await db.Connections.Where(c => db.Users.Any(u => u.Id == c.UserId && u.Name == Name)).Select(c => c.Id).SingleAsync(ct);
    }
}
