using CanvasSync.Data;
using CanvasSync.Hosting;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CanvasSync.Features.SyncRuns.Jobs;

/// <summary>
/// Background syncs on Hangfire. On SQLite (one node) jobs live in memory: our own run and checkpoint tables, not
/// Hangfire, carry unfinished work across a restart. On PostgreSQL jobs live in the "hangfire" schema, shared by
/// every node, with a sliding invisibility timeout so a long sync is never handed to a second worker while the
/// first still runs, and a killed worker's job comes back within minutes instead of half an hour.
/// </summary>
public static class SyncJobsServiceCollectionExtensions
{
    public static IServiceCollection AddSyncJobs(this IServiceCollection services)
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
                InvisibilityTimeout = TimeSpan.FromMinutes(5),
                EnableLongPolling = true,
                PrepareSchemaIfNecessary = true,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(target.ConnectionString, options), options);
        });
        services.AddHangfire((sp, config) =>
        {
            var o = sp.GetRequiredService<IOptions<SyncOptions>>().Value;
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            // Retries with Hangfire's growing delays; the retry count is ours to configure.
            foreach (var existing in GlobalJobFilters.Filters.Where(f => f.Instance is AutomaticRetryAttribute).ToList()) GlobalJobFilters.Filters.Remove(existing.Instance);
            config.UseFilter(new AutomaticRetryAttribute { Attempts = o.JobRetryAttempts });
        });
        services.AddHangfireServer((sp, server) =>
        {
            server.WorkerCount = sp.GetRequiredService<IOptions<SyncOptions>>().Value.Workers;
            server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
        });
        services.AddTransient<SyncJob>();
        services.AddSingleton<SyncScheduler>();
        services.AddHostedService<RecurringJobs>();
        return services;
    }
}
