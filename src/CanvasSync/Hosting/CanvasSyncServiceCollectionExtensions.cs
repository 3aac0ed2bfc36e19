using System.Text.Json;
using CanvasSync.Canvas;
using CanvasSync.Cluster;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Features.OAuth;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using CanvasSync.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace CanvasSync.Hosting;

internal static class CanvasSyncServiceCollectionExtensions
{
    /// <summary>Everything CanvasSync needs, configured and validated: a bad setting fails at start with its name.</summary>
    public static IHostApplicationBuilder AddCanvasSync(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CanvasOptions>().BindConfiguration(CanvasOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddCanvasClient();
        services.AddSingleton<SyncEvents>();
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<ActiveRuns>();
        services.AddSingleton<SyncEngine>();
        services.AddSingleton<RunQueue>();
        services.AddTokenProtection();
        services.AddSingleton<ConnectionTokens>();
        services.AddSingleton<OAuthGrants>();
        services.AddScoped<CanvasConnector>();
        services.AddScoped<CanvasInstances>();
        services.AddScoped<OAuthFlow>();
        services.AddCanvasSyncAuthentication();
        services.AddHttpHardening();
        services.AddApiReference();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            // Numbers are numbers: "42" for an id is refused, and the OpenAPI document says integer, not integer-or-string.
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });

        // An unparsable database leaves no DbContext registered; option validation reports it at start.
        if (DatabaseTarget.TryParse(builder.Configuration[$"{DatabaseOptions.Section}:Connection"] ?? new DatabaseOptions().Connection,
            out var target, out _))
        {
            services.AddSingleton(target!);
            services.AddSingleton<IDbContextFactory<CanvasSyncDbContext>>(new CanvasSyncContexts(target!));
            // Pooled: a request's context (and its SQLite connection object, which EF sets up with functions on
            // creation) is reused rather than built anew, which was a large share of a small read's CPU.
            if (target!.Provider == DatabaseProvider.Sqlite)
                services.AddDbContextPool<CanvasSyncDbContext, SqliteCanvasSyncDbContext>(target.Configure);
            else
            {
                // The request's DbContext tells PostgreSQL whose rows it may see (row-level security).
                services.AddHttpContextAccessor();
                services.AddSingleton<RowLevelSecurity>();
                services.AddDbContextPool<CanvasSyncDbContext, PostgresCanvasSyncDbContext>((sp, options) =>
                {
                    target.Configure(options);
                    options.AddInterceptors(sp.GetRequiredService<RowLevelSecurity>());
                });
            }
        }

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Canvas tokens are encrypted with Data Protection: its key ring lives in the database (every node shares it),
    /// each key encrypted with the master key from Security:MasterKeyFile, which stays outside the database.
    /// </summary>
    private static IServiceCollection AddTokenProtection(this IServiceCollection services)
    {
        services.AddSingleton<MasterKeyFile>();
        // A fixed application name: every node and the CLI, wherever installed, share one key ring.
        services.AddDataProtection().SetApplicationName("CanvasSync").PersistKeysToDbContext<CanvasSyncDbContext>();
        KeyRingRefresh.Register(services);
        services.AddOptions<KeyManagementOptions>().Configure<MasterKeyFile>((o, file) => o.XmlEncryptor = new MasterKeyXmlEncryptor(file));
        services.AddSingleton<TokenVault>();
        services.AddSingleton<Features.Calendar.CalendarFeeds>();
        services.AddSingleton<KeyRing>();
        return services;
    }

    /// <summary>Configuration sources in order of precedence (last wins): appsettings.json, CANVASSYNC__ variables, CANVASSYNC_DB,
    /// --db.</summary>
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
        await db.Database.CanConnectAsync(cancellationToken) ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("database unreachable");
}
