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
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen, as ASP.NET Core takes it",
            DefaultValueFactory = _ => "http://127.0.0.1:5080"
        };
        var masterKey = CommonOptions.MasterKey();
        var role = new Option<string?>("--role")
        {
            Description = "all (default): API, dashboard and syncs; web: API and dashboard; worker: syncs, with /health and /metrics only. web and worker need PostgreSQL",
        };
        role.AcceptOnlyFromAmong("all", "web", "worker");
        var name = new Option<string?>("--node-name") { Description = "This node's name in run leases and the sync history (default host:pid); unique per process" };
        var command = new Command("serve", "Run the CanvasSync web app: REST API, dashboard and /health endpoints") { db, urls, masterKey,
            role, name };
        command.SetAction(async (parse, ct) =>
        {
            List<string> args = [];
            if (parse.GetValue(masterKey) is { } file) args.Add($"--Security:MasterKeyFile={file}");
            if (parse.GetValue(role) is { } r) args.Add($"--Node:Role={r}");
            if (parse.GetValue(name) is { } n) args.Add($"--Node:Name={n}");
            await using var app = CanvasSyncWebApp.Build([.. args], parse.GetValue(db), parse.GetValue(urls));
            await app.PrepareAsync(ct);
            await app.StartAsync(ct);
            var node = app.Services.GetRequiredService<CanvasSync.Cluster.NodeIdentity>();
            var roleName = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<NodeOptions>>().Value.Role.ToString()
                .ToLowerInvariant();
            Console.WriteLine($"CanvasSync {roleName} node {node.Name} listening on {string.Join(", ", app.Urls)} (database {app.Services.GetRequiredService<CanvasSync.Data.DatabaseTarget>()})");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
