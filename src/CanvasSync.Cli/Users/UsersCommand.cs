using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CanvasSync.Cli.Common;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Cli.Users;

/// <summary>`canvas-sync users ...`: CanvasSync users and their API keys. A key is printed once, when it is made.</summary>
internal static class UsersCommand
{
    public static Command Create() => new("users", "Manage CanvasSync users and their API keys")
    {
        Add(),
        List(),
        NewKey(),
        RevokeKey(),
        Remove(),
    };

    private static Command Add()
    {
        var db = CommonOptions.Db();
        var name = new Argument<string>("NAME") { Description = "A unique name for the user" };
        var admin = new Option<bool>("--admin") { Description = "An admin sees monitoring across users" };
        var json = new Option<bool>("--json") { Description = "Print {\"user_id\": ..., \"api_key\": ...}" };
        var command = new Command("add", "Create a user and print their first API key (shown once)") { name, admin, json, db };
        command.SetAction(async (p, ct) =>
        {
            var issued = await WithDatabaseAsync(p.GetValue(db), ct, (context, now) =>
                UserDirectory.AddAsync(context, p.GetValue(name)!, p.GetValue(admin), now, ct));
            PrintKey(issued, p.GetValue(json), $"Created {(issued.IsAdmin ? "admin" : "user")} {issued.UserName} (id {issued.UserId}).");
            return 0;
        });
        return command;
    }

    private static Command NewKey()
    {
        var db = CommonOptions.Db();
        var user = UserArgument();
        var json = new Option<bool>("--json") { Description = "Print {\"user_id\": ..., \"api_key\": ...}" };
        var command = new Command("new-key", "Make another API key for a user (shown once); their other keys stay valid") { user, json,
            db };
        command.SetAction(async (p, ct) =>
        {
            var issued = await WithDatabaseAsync(p.GetValue(db), ct, (context, now) =>
                UserDirectory.IssueKeyAsync(context, p.GetValue(user)!, now, ct));
            PrintKey(issued, p.GetValue(json), $"New key for {issued.UserName} (id {issued.UserId}).");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var db = CommonOptions.Db();
        var json = new Option<bool>("--json") { Description = "Print a JSON list" };
        var command = new Command("list", "List users, their active keys and connections (never a key)") { json, db };
        command.SetAction(async (p, ct) =>
        {
            var users = await WithDatabaseAsync(p.GetValue(db), ct, (context, _) => UserDirectory.ListAsync(context, ct));
            if (p.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(users.Select(u => new
                {
                    id = u.Id,
                    name = u.Name,
                    role = u.IsAdmin ? "admin" : "user",
                    created_at = u.CreatedAt,
                    active_keys = u.ActiveKeys,
                    connections = u.Connections
                })));
                return 0;
            }

            Console.WriteLine($"{"id",6}  {"name",-24} {"role",-6} {"keys",5} {"connections",11}  created");
            foreach (var u in users)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{u.Id,6}  {u.Name,-24} {(u.IsAdmin ? "admin" : "user"),-6} {u.ActiveKeys,5} {u.Connections,11}  {u.CreatedAt:yyyy-MM-dd HH:mm}"));
            return 0;
        });
        return command;
    }

    private static Command RevokeKey()
    {
        var db = CommonOptions.Db();
        var user = UserArgument();
        var prefix = new Option<string?>("--prefix") { Description = "Revoke only the key that starts so (as `users new-key` printed it); default: all of the user's keys" };
        var command = new Command("revoke-key", "Revoke a user's API keys: refused from the next request on, and their sessions end")
        {
            user, prefix, db,
        };
        command.SetAction(async (p, ct) =>
        {
            var n = await WithDatabaseAsync(p.GetValue(db), ct, (context, now) =>
                UserDirectory.RevokeKeysAsync(context, p.GetValue(user)!, p.GetValue(prefix), now, ct));
            Console.WriteLine($"Revoked {n} key{(n == 1 ? "" : "s")} of {p.GetValue(user)}.");
            return 0;
        });
        return command;
    }

    private static Command Remove()
    {
        var db = CommonOptions.Db();
        var user = UserArgument();
        var command = new Command("remove", "Remove a user with their keys, Canvas connection, stored token and synced data") { user, db };
        command.SetAction(async (p, ct) =>
        {
            var name = await WithDatabaseAsync(p.GetValue(db), ct, (context, _) =>
                UserDirectory.RemoveAsync(context, p.GetValue(user)!, ct));
            Console.WriteLine($"Removed {name} and everything they owned.");
            return 0;
        });
        return command;
    }

    private static Argument<string> UserArgument() => new("USER") { Description = "The user's name or id" };

    private static async Task<T> WithDatabaseAsync<T>(string? db, CancellationToken ct, Func<CanvasSyncDbContext, DateTime, Task<T>> work)
    {
        using var host = await CliServices.StartAsync(db, ct);
        await using var context = host.Services.GetRequiredService<IDbContextFactory<CanvasSyncDbContext>>().CreateDbContext();
        return await work(context, TimeProvider.System.GetUtcNow().UtcDateTime);
    }

    private static void PrintKey(IssuedKey issued, bool json, string headline)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { user_id = issued.UserId, name = issued.UserName, api_key = issued.ApiKey }));
            return;
        }

        Console.WriteLine(headline);
        Console.WriteLine($"API key (shown once; keep it like a password): {issued.ApiKey}");
    }
}
