using CanvasSync.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CanvasSync.Hosting;

/// <summary>The CanvasSync web app: API, pages and health, on one server. `canvas-sync serve` and the tests build it here.</summary>
public static class CanvasSyncWebApp
{
    public static WebApplication Build(string[] args, string? db = null, string? urls = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCanvasSyncSources(db);
        if (urls is not null) builder.WebHost.UseUrls(urls);
        builder.AddCanvasSync();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapGet("/", () => Results.Text("CanvasSync is running. Health: /health/live, /health/ready.\n"));
        return app;
    }

    public static Task PrepareAsync(this WebApplication app, CancellationToken cancellationToken = default) =>
        app.Services.PrepareCanvasSyncAsync(cancellationToken);

    /// <summary>
    /// What every entry point (serve, the CLI's one-shot commands) does before work: validates every option (a bad one
    /// throws with its name) and applies pending migrations.
    /// </summary>
    public static async Task PrepareCanvasSyncAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        _ = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        _ = services.GetRequiredService<IOptions<CanvasOptions>>().Value;
        _ = services.GetRequiredService<IOptions<SyncOptions>>().Value;
        await using var scope = services.CreateAsyncScope();
        await DatabaseMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<CanvasSyncDbContext>(), cancellationToken);
    }
}
