using System.CommandLine;
using CanvasSync.Cli.Common;
using CanvasSync.Hosting;

namespace CanvasSync.Cli.Serve;

/// <summary>`canvas-sync serve`: the web app (API, dashboard, health).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var urls = new Option<string>("--urls") { Description = "Where to listen, as ASP.NET Core takes it", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var masterKey = CommonOptions.MasterKey();
        var command = new Command("serve", "Run the CanvasSync web app: REST API, dashboard and /health endpoints") { db, urls, masterKey };
        command.SetAction(async (parse, ct) =>
        {
            string[] args = parse.GetValue(masterKey) is { } file ? [$"--Security:MasterKeyFile={file}"] : [];
            await using var app = CanvasSyncWebApp.Build(args, parse.GetValue(db), parse.GetValue(urls));
            await app.PrepareAsync(ct);
            await app.StartAsync(ct);
            Console.WriteLine($"CanvasSync listening on {string.Join(", ", app.Urls)} (database {app.Services.GetRequiredService<CanvasSync.Data.DatabaseTarget>()})");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
