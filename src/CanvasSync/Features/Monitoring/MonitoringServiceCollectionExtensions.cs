using CanvasSync.Data;
using CanvasSync.Features.Monitoring.Alerts;
using CanvasSync.Features.SyncRuns;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Prometheus;

namespace CanvasSync.Features.Monitoring;

/// <summary>Monitoring in the web app: Prometheus figures and alerts hear of every run; the metrics API and /metrics.</summary>
internal static class MonitoringServiceCollectionExtensions
{
    public static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SyncPrometheus>();
        services.AddSingleton<ISyncRunObserver>(sp => sp.GetRequiredService<SyncPrometheus>());
        services.AddSingleton<ISyncRunObserver, SyncAlerts>();
        services.AddSingleton<AlertChannels>();
        services.AddHttpClient(AlertChannels.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(30));
        services.AddTransient<AlertJobs>();
        services.AddTransient<MetricsRetention>();
        services.AddHealthChecks().AddCheck<JobStorageHealthCheck>("job_storage", tags: ["ready"]);
        return services;
    }

    /// <summary>/api/v1/metrics and /metrics (an admin's key, unless Monitoring:AnonymousMetrics).</summary>
    public static void MapMonitoring(this WebApplication app)
    {
        app.MapMetricsApi();
        app.MapPrometheus();
    }

    /// <summary>/metrics alone: what a worker node serves besides health.</summary>
    public static void MapPrometheus(this WebApplication app)
    {
        // An unparsable database leaves no DatabaseTarget (nor anything built on it); start-up then stops on that
        // setting with a plain message, so there is no /metrics to map.
        if (app.Services.GetService<DatabaseTarget>() is null) return;
        var scrape = app.MapMetrics("/metrics", app.Services.GetRequiredService<SyncPrometheus>().Registry);
        if (app.Services.GetRequiredService<IOptions<MonitoringOptions>>().Value.AnonymousMetrics) scrape.AllowAnonymous();
        else scrape.RequireAuthorization("admin");
    }
}

/// <summary>Ready only when the job storage answers (queued syncs, schedules and alerts live there).</summary>
internal sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Hangfire's storage API is synchronous: off the request thread.
            var servers = await Task.Run(() => storage.GetMonitoringApi().Servers().Count, cancellationToken);
            return HealthCheckResult.Healthy($"{servers} job server(s)");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("job storage unreachable: " + e.GetType().Name);
        }
    }
}
