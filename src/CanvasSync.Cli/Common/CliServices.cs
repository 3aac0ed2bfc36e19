using CanvasSync.Hosting;
using CanvasSync.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Cli.Common;

/// <summary>The library's services for a one-shot command: same configuration and validation as serve, no web server.</summary>
internal static class CliServices
{
    public static async Task<IHost> StartAsync(string? db, CancellationToken ct, string? masterKeyFile = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCanvasSyncSources(db);
        // The operator's own command line may sync a Canvas on loopback or a private network (the SSRF guard is for
        // URLs that users of the service supply).
        builder.Configuration["Canvas:AllowPrivateNetwork"] = "true";
        builder.Configuration["Canvas:AllowHttp"] = "true";
        if (masterKeyFile is not null) builder.Configuration["Security:MasterKeyFile"] = masterKeyFile;
        builder.Logging.ClearProviders();
        // Warnings and errors to stderr, so stdout stays the command's output (e.g. --json).
        // A rule added after the configuration's rules wins over its "Default": one-shot commands are quiet.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).AddFilter((string? _, LogLevel level) => level >= LogLevel.Warning);
        builder.AddCanvasSync();
        var host = builder.Build();
        await host.Services.PrepareCanvasSyncAsync(ct); // a bad setting fails here, with its name
        await host.Services.GetRequiredService<KeyRing>().VerifyMasterKeyAsync(ct); // so does a master key that is not the ring's
        return host;
    }
}
