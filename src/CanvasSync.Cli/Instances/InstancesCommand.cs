using System.CommandLine;
using System.Text.Json;
using CanvasSync.Cli.Common;
using CanvasSync.Features.OAuth;
using CanvasSync.Security;

namespace CanvasSync.Cli.Instances;

/// <summary>`canvas-sync instances ...`: the developer keys that let users "Connect with Canvas" (OAuth2).</summary>
internal static class InstancesCommand
{
    public static Command Create() => new("instances", "Manage the Canvas developer keys users connect with (OAuth2)")
    {
        Add(),
        List(),
        Remove(),
    };

    private static Command Add()
    {
        var db = CommonOptions.Db();
        var masterKey = CommonOptions.MasterKey();
        var url = new Argument<string>("CANVAS_URL") { Description = "The Canvas, e.g. https://school.instructure.com" };
        var clientId = new Option<string>("--client-id")
        {
            Description = "The developer key's id (Canvas: Admin > Developer Keys)",
            Required = true
        };
        var secretFile = new Option<string>("--client-secret-file")
        {
            Description = "A file holding the developer key's secret, or - for standard input (default); never on the command line, where ps shows it",
            DefaultValueFactory = _ => "-",
        };
        var redirect = new Option<string>("--redirect-uri") { Description = "Registered on the developer key: https://YOUR-CANVASSYNC/oauth/callback", Required = true };
        var name = new Option<string?>("--name") { Description = "What users see on the button (default: the host)" };
        var command = new Command("add", "Add (or replace) a Canvas's developer key; the client secret is stored encrypted") { url,
            clientId, secretFile, redirect, name, db, masterKey };
        command.SetAction(async (p, ct) =>
        {
            var file = p.GetValue(secretFile)!;
            var secret = (file == "-" ? await Console.In.ReadLineAsync(ct) : (await File.ReadAllTextAsync(file, ct)).Trim()) ?? "";
            using var host = await CliServices.StartAsync(p.GetValue(db), ct, p.GetValue(masterKey));
            // As serve does on a new installation: the first secret stored makes the master key.
            await host.Services.GetRequiredService<KeyRing>().EnsureMasterKeyAsync(ct);
            using var scope = host.Services.CreateScope();
            try
            {
                var added = await scope.ServiceProvider.GetRequiredService<CanvasInstances>()
                    .AddAsync(p.GetValue(url), p.GetValue(name), p.GetValue(clientId), secret,
                    p.GetValue(redirect), ct);
                Console.WriteLine($"Canvas instance {added.Id}: {added.Name} ({added.BaseUrl}), client id {added.ClientId}, redirect {added.RedirectUri}. Users now see Connect with Canvas.");
                return 0;
            }
            catch (InstanceConfigException e)
            {
                await Console.Error.WriteLineAsync($"canvas-sync: {e.Field}: {e.Message}");
                return CliRunner.UsageError;
            }
        });
        return command;
    }

    private static Command List()
    {
        var db = CommonOptions.Db();
        var masterKey = CommonOptions.MasterKey();
        var json = new Option<bool>("--json") { Description = "Print a JSON list" };
        var command = new Command("list", "List the developer keys (never a secret)") { json, db, masterKey };
        command.SetAction(async (p, ct) =>
        {
            using var host = await CliServices.StartAsync(p.GetValue(db), ct, p.GetValue(masterKey));
            using var scope = host.Services.CreateScope();
            var all = await scope.ServiceProvider.GetRequiredService<CanvasInstances>().ListAsync(ct);
            if (p.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(all,
                    new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
                return 0;
            }

            foreach (var i in all)
                Console.WriteLine($"{i.Id,4}  {i.Name}  {i.CanvasUrl}  client {i.ClientId}  redirect {i.RedirectUri}  {i.Connections} connections" +
                    (i.SecretReadable ? "" : "  SECRET UNREADABLE: run instances add again"));
            return 0;
        });
        return command;
    }

    private static Command Remove()
    {
        var db = CommonOptions.Db();
        var url = new Argument<string>("CANVAS_URL") { Description = "The Canvas whose developer key goes" };
        var command = new Command("remove", "Remove a developer key no connection uses") { url, db };
        command.SetAction(async (p, ct) =>
        {
            using var host = await CliServices.StartAsync(p.GetValue(db), ct);
            using var scope = host.Services.CreateScope();
            try
            {
                var removed = await scope.ServiceProvider.GetRequiredService<CanvasInstances>().RemoveAsync(p.GetValue(url)!, ct);
                if (!removed) await Console.Error.WriteLineAsync($"canvas-sync: no developer key for {p.GetValue(url)}");
                else Console.WriteLine($"Removed the developer key of {p.GetValue(url)}.");
                return removed ? 0 : CliRunner.UsageError;
            }
            catch (InstanceConfigException e)
            {
                await Console.Error.WriteLineAsync($"canvas-sync: {e.Message}");
                return CliRunner.UsageError;
            }
        });
        return command;
    }
}
