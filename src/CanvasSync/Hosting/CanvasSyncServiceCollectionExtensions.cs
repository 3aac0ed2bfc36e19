using CanvasSync.Canvas;
using CanvasSync.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace CanvasSync.Hosting;

public static class CanvasSyncServiceCollectionExtensions
{
    /// <summary>Everything CanvasSync needs, configured and validated: a bad setting fails at start with its name.</summary>
    public static IHostApplicationBuilder AddCanvasSync(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CanvasOptions>().BindConfiguration(CanvasOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddCanvasClient();
        services.AddSingleton<CanvasSync.Features.SyncRuns.SyncEngine>();

        // An unparsable database leaves no DbContext registered; option validation reports it at start.
        if (DatabaseTarget.TryParse(builder.Configuration[$"{DatabaseOptions.Section}:Connection"] ?? new DatabaseOptions().Connection, out var target, out _))
        {
            services.AddSingleton(target!);
            if (target!.Provider == DatabaseProvider.Sqlite)
                services.AddDbContext<CanvasSyncDbContext, SqliteCanvasSyncDbContext>(target.Configure);
            else
                services.AddDbContext<CanvasSyncDbContext, PostgresCanvasSyncDbContext>(target.Configure);
        }

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>Configuration sources in order of precedence (last wins): appsettings.json, CANVASSYNC__ variables, CANVASSYNC_DB, --db.</summary>
    public static IConfigurationBuilder AddCanvasSyncSources(this IConfigurationManager configuration, string? db)
    {
        configuration.AddEnvironmentVariables("CANVASSYNC__");
        var fromEnvironment = Environment.GetEnvironmentVariable("CANVASSYNC_DB");
        var chosen = db ?? fromEnvironment;
        if (!string.IsNullOrWhiteSpace(chosen)) configuration[$"{DatabaseOptions.Section}:Connection"] = chosen;
        return configuration;
    }
}

/// <summary>Ready only when the database answers.</summary>
internal sealed class DatabaseHealthCheck(CanvasSyncDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("database unreachable");
}
