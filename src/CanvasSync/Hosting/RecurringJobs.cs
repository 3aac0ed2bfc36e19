using CanvasSync.Features.Monitoring;
using CanvasSync.Features.Monitoring.Alerts;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CanvasSync.Hosting;

/// <summary>
/// Every schedule, declared in one place at start: the stale-sync scheduler, the daily metrics retention and the
/// weekly report. Then, on one node, unfinished runs are put back on the queue.
/// </summary>
internal sealed class RecurringJobs(IRecurringJobManager recurring, SyncScheduler scheduler, JobStorage storage, IOptions<SyncOptions> sync,
    IOptions<MonitoringOptions> monitoring) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (sync.Value.SchedulerEnabled)
            recurring.AddOrUpdate<SyncScheduler>(SyncScheduler.RecurringJobId, s => s.EnqueueStaleAsync(CancellationToken.None),
                SyncScheduler.Cron(sync.Value.ScheduleEveryMinutes));
        else recurring.RemoveIfExists(SyncScheduler.RecurringJobId);

        recurring.AddOrUpdate<MetricsRetention>(MetricsRetention.JobId, r => r.RunAsync(CancellationToken.None), "17 3 * * *");

        var report = monitoring.Value.Alerts.WeeklyReportCron;
        if (string.IsNullOrWhiteSpace(report)) recurring.RemoveIfExists(AlertJobs.WeeklyReportJobId);
        else
        {
            try
            {
                recurring.AddOrUpdate<AlertJobs>(AlertJobs.WeeklyReportJobId, j => j.WeeklyReportAsync(CancellationToken.None), report);
            }
            catch (ArgumentException e)
            {
                // Five fields that still do not parse (MonitoringOptions checks the shape): Hangfire's parser says why.
                throw new OptionsValidationException(MonitoringOptions.Section, typeof(MonitoringOptions),
                    [$"Monitoring:Alerts:WeeklyReportCron: \"{report}\" is not a cron expression ({e.Message})"]);
            }
        }

        // One node's in-memory queue forgot its jobs with the restart; a shared queue (PostgreSQL) still has them, and
        // runs whose node died are the reclaimer's.
        if (storage is Hangfire.InMemory.InMemoryStorage) await scheduler.ResumeOrphanedRunsAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
