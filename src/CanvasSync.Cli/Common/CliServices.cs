using CanvasSync.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Cli.Common;

/// <summary>The library's services for a one-shot command: same configuration and validation as serve, no web server.</summary>
internal static class CliServices
{
    public static async Task<IHost> StartAsync(string? db, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCanvasSyncSources(db);
        builder.Logging.ClearProviders();
        // Warnings and errors to stderr, so stdout stays the command's output (e.g. --json).
        // A rule added after the configuration's rules wins over its "Default": one-shot commands are quiet.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).AddFilter((string? _, LogLevel level) => level >= LogLevel.Warning);
        builder.AddCanvasSync();
        var host = builder.Build();
        await host.Services.PrepareCanvasSyncAsync(ct); // a bad setting fails here, with its name
        return host;
    }
}
