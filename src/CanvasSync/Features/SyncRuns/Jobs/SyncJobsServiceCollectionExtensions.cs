using CanvasSync.Cluster;
using CanvasSync.Data;
using CanvasSync.Hosting;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.SyncRuns.Jobs;

/// <summary>
/// Background syncs on Hangfire. On SQLite (one node) jobs live in memory: our own run and checkpoint tables, not
/// Hangfire, carry unfinished work across a restart. On PostgreSQL jobs live in the "hangfire" schema, shared by
/// every node, with a sliding invisibility timeout so a long sync is never handed to a second worker while the
/// first still runs. A node's death mid-sync is noticed sooner by the run's lease (see <see cref="RunReclaimer"/>).
/// </summary>
internal static class SyncJobsServiceCollectionExtensions
{
    /// <summary>Hangfire's queue for syncs of connections known to be large, served by Sync:LargeWorkers of their own.</summary>
    public const string LargeQueue = "large";

    /// <param name="runsSyncs">Whether this node works on syncs (roles all and worker) or only queues them (web).</param>
    public static IServiceCollection AddSyncJobs(this IServiceCollection services, bool runsSyncs = true)
    {
        // Our own storage instance in DI: Hangfire's default reads a process-wide static, which two services in one
        // process (the tests) would share.
        services.AddSingleton<JobStorage>(sp =>
        {
            var target = sp.GetRequiredService<DatabaseTarget>();
            if (target.Provider == DatabaseProvider.Sqlite) return new InMemoryStorage();
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                UseSlidingInvisibilityTimeout = true,
                InvisibilityTimeout = TimeSpan.FromMinutes(2),
                // Polled, not LISTEN/NOTIFY: with long polling, Dequeue waits for its LISTEN task after fetching a job
                // and rethrows the task's failure, so the fetched job reaches no worker, and the storage's keep-alive
                // holds it invisible for good (seen once in a campus benchmark: a run queued forever, its connection
                // never queued again).
                // A second's poll is a cheap indexed query per idle worker; a busy worker fetches again at once.
                EnableLongPolling = false,
                QueuePollInterval = TimeSpan.FromSeconds(1),
                PrepareSchemaIfNecessary = true,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(target.ConnectionString, options), options);
        });
        services.AddHangfire((sp, config) =>
        {
            var o = sp.GetRequiredService<IOptions<SyncOptions>>().Value;
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            // Retries with Hangfire's growing delays; the retry count is ours to configure.
            foreach (var existing in GlobalJobFilters.Filters.Where(f => f.Instance is AutomaticRetryAttribute).ToList())
                GlobalJobFilters.Filters.Remove(existing.Instance);
            config.UseFilter(new AutomaticRetryAttribute { Attempts = o.JobRetryAttempts });
        });
        services.AddTransient<SyncJob>();
        services.AddSingleton<SyncScheduler>();
        services.AddHostedService<RecurringJobs>();
        if (!runsSyncs) return services;

        // Two servers: the many small syncs (and every other job) on Sync:Workers, the large ones on Sync:LargeWorkers
        // of their own, so one big instructor sync waits for a large worker instead of taking a student's.
        services.AddHangfireServer((sp, server) =>
        {
            server.WorkerCount = sp.GetRequiredService<IOptions<SyncOptions>>().Value.Workers;
            server.ServerName = $"{sp.GetRequiredService<NodeIdentity>().Name}:syncs";
            server.Queues = [EnqueuedState.DefaultQueue];
        });
        services.AddHangfireServer((sp, server) =>
        {
            // Hangfire needs at least one worker; with Sync:LargeWorkers 0 large syncs go to the default queue instead.
            server.WorkerCount = Math.Max(1, sp.GetRequiredService<IOptions<SyncOptions>>().Value.LargeWorkers);
            server.ServerName = $"{sp.GetRequiredService<NodeIdentity>().Name}:large";
            server.Queues = [LargeQueue];
        });
        services.AddHostedService<RunReclaimer>();
        return services;
    }
}
