using System.Data.Common;
using CanvasSync.Cluster;
using CanvasSync.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// A running sync's lease on its row: renewed every third of its length while the run goes on, so a page that takes
/// long (a throttled Canvas) never looks like a dead node. Finding the lease taken stops the run: it is another
/// node's now. A cancel asked on another node arrives here too, through the row.
/// </summary>
internal sealed partial class RunLease(IDbContextFactory<CanvasSyncDbContext> contexts, NodeIdentity node, ActiveRuns active,
    TimeProvider time, ILogger<RunLease> logger)
{
    public async Task KeepAsync(RunState s, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(node.RenewEvery, time, ct);
                await using var db = contexts.CreateDbContext();
                var now = time.GetUtcNow().UtcDateTime;
                var held = db.SyncRuns.Where(r => r.Id == s.Context.RunId && r.LeaseOwner == node.Name);
                if (await held.ExecuteUpdateAsync(u => u.SetProperty(r => r.HeartbeatAt, now), ct) == 0)
                {
                    await LoseAsync(s);
                    return;
                }

                // A cancel asked on another node (SyncControl.CancelAsync) reaches the run here.
                if (await held.AnyAsync(r => r.CancelRequested, ct)) active.TryCancel(s.Context.RunId);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbException or DbUpdateException or TimeoutException)
            {
                // The database is briefly away: the next try renews, and the lease outlasts two misses.
                LogLeaseRenewalFailed(logger, s.Context.RunId, e.GetType().Name);
            }
        }
    }

    /// <summary>Stops the run for good on this node: another node holds it now.</summary>
    public async Task LoseAsync(RunState s)
    {
        if (!s.LeaseLost) LogLeaseLost(logger, s.Context.RunId);
        await s.LoseLeaseAsync();
    }

    public static OperationCanceledException Taken() => new("the run's lease was taken by another node");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync run {RunId}: renewing its lease failed ({Error}); trying again")]
    private static partial void LogLeaseRenewalFailed(ILogger logger, long runId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync run {RunId}: another node holds its lease now; this node stops working on it")]
    private static partial void LogLeaseLost(ILogger logger, long runId);
}
