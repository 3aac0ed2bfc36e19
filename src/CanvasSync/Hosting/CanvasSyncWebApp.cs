using CanvasSync.Cluster;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Calendar;
using CanvasSync.Features.Changes;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Courses;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.Export;
using CanvasSync.Features.Groups;
using CanvasSync.Features.Monitoring;
using CanvasSync.Features.OAuth;
using CanvasSync.Features.SeedApps;
using CanvasSync.Features.Submissions;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using CanvasSync.Features.Tasks;
using CanvasSync.Pages;
using CanvasSync.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CanvasSync.Hosting;

/// <summary>The CanvasSync web app: API, pages and health, on one server. `canvas-sync serve` and the tests build it here.</summary>
internal static partial class CanvasSyncWebApp
{
    /// <param name="configure">Last changes before the app is built (tests swap an edge such as DNS or add a log sink).</param>
    public static WebApplication Build(string[] args, string? db = null, string? urls = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCanvasSyncSources(db);
        if (urls is not null) builder.WebHost.UseUrls(urls);
        builder.AddCanvasSync();
        var role = NodeRoleOf(builder.Configuration);
        builder.Services.AddSyncJobs(runsSyncs: role != NodeRole.Web); // background syncs run in the service, not in one-shot CLI commands
        builder.Services.AddClusterSignals();
        builder.Services.AddMonitoring();
        if (role != NodeRole.Worker) builder.Services.AddDashboard();

        var proxies = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>()?.TrustedProxies ?? [];
        builder.Services.AddReverseProxySupport(proxies);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Limits.MaxRequestBodySize =
                context.Configuration.GetValue<long?>($"{SecurityOptions.Section}:{nameof(SecurityOptions.MaxRequestBodyBytes)}")
                ?? new SecurityOptions().MaxRequestBodyBytes);

        configure?.Invoke(builder);
        var app = builder.Build();
        // Only from Security:TrustedProxies. With none, the middleware is left out: it would believe anyone (empty lists allow all).
        if (proxies.Length > 0) app.UseForwardedHeaders();
        app.UseHsts(); // on https only (as a trusted proxy reports it)
        app.UseHttpHardening();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        // Before authorization, so a request with an invalid key or none is counted (per address) before it gets its 401.
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        if (role == NodeRole.Worker)
        {
            // A worker has no web front: its port serves health and Prometheus only.
            app.MapPrometheus();
            return app;
        }

        app.MapSignOut();
        app.MapCanvasConnections();
        app.MapCanvasOAuth();
        app.MapSyncRuns();
        app.MapCourses();
        app.MapAssignments();
        app.MapSubmissions();
        app.MapEnrollments();
        app.MapGroups();
        app.MapTasks();
        app.MapCalendar();
        app.MapExports();
        app.MapChangeFeed();
        app.MapMonitoring();
        app.MapCanvasDashboardApi();
        app.MapSyncMonitoringApi();
        app.MapApiReference();
        app.MapDashboard();
        return app;
    }

    /// <summary>Node:Role, checked before anything is built on it: web and worker nodes share their work through PostgreSQL.</summary>
    private static NodeRole NodeRoleOf(IConfiguration configuration)
    {
        var text = configuration[$"{NodeOptions.Section}:{nameof(NodeOptions.Role)}"];
        var role = NodeRole.All;
        if (text is not null && (!Enum.TryParse(text, ignoreCase: true, out role) || !Enum.IsDefined(role)))
            throw new OptionsValidationException(NodeOptions.Section, typeof(NodeOptions),
                [$"Node:Role: \"{text}\" is not all, web or worker"]);
        var db = configuration[$"{DatabaseOptions.Section}:Connection"] ?? new DatabaseOptions().Connection;
        if (role != NodeRole.All && DatabaseTarget.TryParse(db, out var target, out _) && target!.Provider == DatabaseProvider.Sqlite)
            throw new OptionsValidationException(NodeOptions.Section, typeof(NodeOptions),
                [$"Node:Role: {role.ToString().ToLowerInvariant()} needs PostgreSQL; on SQLite one node does everything (role all)"]);
        return role;
    }

    /// <summary>Before serving: options, migrations, the master key; then every stored token tried, so unreadable ones show
    /// needs_reauth.</summary>
    public static async Task PrepareAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        _ = app.Services.GetRequiredService<IOptions<MonitoringOptions>>().Value;
        await app.Services.PrepareCanvasSyncAsync(cancellationToken);
        await app.Services.GetRequiredService<KeyRing>().EnsureMasterKeyAsync(cancellationToken);
        await app.Services.GetRequiredService<KeyRing>().VerifyMasterKeyAsync(cancellationToken);
        WarnAboutReadableFiles(app);
        var (unreadable, restored) = await app.Services.GetRequiredService<ConnectionTokens>().CheckAllAsync(cancellationToken);
        if (unreadable > 0) LogUnreadableTokens(app.Logger, unreadable);
        if (restored > 0) LogRestoredTokens(app.Logger, restored);
    }

    /// <summary>The master key and a SQLite database are the deployment's secrets: say so when others may read them.</summary>
    private static void WarnAboutReadableFiles(WebApplication app)
    {
        var masterKey = app.Services.GetRequiredService<MasterKeyFile>().Path;
        if (PrivateFiles.OthersMayRead(masterKey)) LogReadableFile(app.Logger, "the master key file", masterKey);
        var database = app.Services.GetRequiredService<DatabaseTarget>();
        if (database.Provider == DatabaseProvider.Sqlite && database.SqlitePath is { } path && PrivateFiles.OthersMayRead(path))
            LogReadableFile(app.Logger, "the SQLite database", path);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Other users of this machine may read {What} {Path}; make it readable by the service's user only (chmod 600)")]
    private static partial void LogReadableFile(ILogger logger, string what, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "{Count} stored Canvas tokens cannot be decrypted (was the master key replaced?); their connections now show needs_reauth")]
    private static partial void LogUnreadableTokens(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Count} stored Canvas tokens marked unreadable earlier decrypt again; their connections are usable again")]
    private static partial void LogRestoredTokens(ILogger logger, int count);

    /// <summary>
    /// What every entry point (serve, the CLI's one-shot commands) does before work: validates every option (a bad one
    /// throws with its name) and applies pending migrations.
    /// </summary>
    public static async Task PrepareCanvasSyncAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        _ = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        _ = services.GetRequiredService<IOptions<CanvasOptions>>().Value;
        _ = services.GetRequiredService<IOptions<SyncOptions>>().Value;
        _ = services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        await using (var scope = services.CreateAsyncScope())
            await DatabaseMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<CanvasSyncDbContext>(), cancellationToken);
    }
}
