using CanvasSync.Data;
using CanvasSync.Hosting;
using CanvasSync.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Cli.Common;

/// <summary>The library's services for a one-shot command: same configuration and validation as serve, no web server.</summary>
internal static class CliServices
{
    /// <summary>
    /// Starts the services on the database. <paramref name="existingDatabase"/>: a command that reads what a sync
    /// wrote (export, analyze) refuses a SQLite file that is not there, rather than make an empty one.
    /// <paramref name="beforeDatabase"/> runs before the database is opened or made (a sync asks Canvas about the
    /// token there, so a wrong one leaves no file behind).
    /// </summary>
    public static async Task<IHost> StartAsync(string? db, CancellationToken ct, string? masterKeyFile = null,
        bool existingDatabase = false,
        Func<IServiceProvider, Task>? beforeDatabase = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCanvasSyncSources(db);
        // The operator's own command line may sync a Canvas on loopback or a private network (the SSRF guard is for
        // URLs that users of the service supply).
        builder.Configuration["Canvas:AllowPrivateNetwork"] = "true";
        builder.Configuration["Canvas:AllowHttp"] = "true";
        if (masterKeyFile is not null) builder.Configuration["Security:MasterKeyFile"] = masterKeyFile;
        builder.Logging.ClearProviders();
        // The terminal gets the command's own words (its summary, its one-line errors); the log, framework lines
        // included, only with --verbose, at the configuration's levels, on stderr so stdout stays the command's output
        // (e.g. --json).
        if (CliRunner.IsVerbose) builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddCanvasSync();
        var host = builder.Build();
        if (existingDatabase && host.Services.GetRequiredService<DatabaseTarget>().SqlitePath is { } path && path != ":memory:"
            && !File.Exists(path))
        {
            host.Dispose();
            throw new FormatException($"there is no database at {Path.GetFullPath(path)}; check --db (canvas-sync sync makes one)");
        }

        try
        {
            if (beforeDatabase is not null) await beforeDatabase(host.Services);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        await host.Services.PrepareCanvasSyncAsync(ct); // a bad setting fails here, with its name
        await host.Services.GetRequiredService<KeyRing>().VerifyMasterKeyAsync(ct); // so does a master key that is not the ring's
        return host;
    }
}
