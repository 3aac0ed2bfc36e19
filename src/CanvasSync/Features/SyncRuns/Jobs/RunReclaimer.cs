using CanvasSync.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.SyncRuns.Jobs;

/// <summary>
/// On every node that runs syncs: every Sync:ReclaimEverySeconds, the running syncs whose node has died (its lease
/// lapsed, see <see cref="Cluster.NodeIdentity"/>) go back on the queue, and a worker here or on another node
/// resumes them from their checkpoints. With the defaults a killed node's syncs resume within about 40 seconds.
/// </summary>
internal sealed partial class RunReclaimer(SyncScheduler scheduler, IOptions<SyncOptions> options, TimeProvider time,
    ILogger<RunReclaimer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(options.Value.ReclaimEverySeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, time, stoppingToken);
                await scheduler.ReclaimAbandonedAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database is away for a moment; the next round tries again.
                LogReclaimFailed(logger, e.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for sync runs of dead nodes failed ({Error}); trying again next round")]
    private static partial void LogReclaimFailed(ILogger logger, string error);
}
