using System.CommandLine;
using CanvasSync.Cli.Common;
using CanvasSync.Security;

namespace CanvasSync.Cli.Keys;

/// <summary>`canvas-sync keys ...`: the key ring that encrypts stored Canvas tokens.</summary>
internal static class KeysCommand
{
    public static Command Create() => new("keys", "Manage the keys that encrypt stored Canvas tokens")
    {
        Rotate(),
        NewMaster(),
    };

    private static Command Rotate()
    {
        var db = CommonOptions.Db();
        var masterKey = CommonOptions.MasterKey();
        var drop = new Option<bool>("--drop-unreadable") { Description = "Tokens that do not decrypt: drop them (their connections show needs_reauth) instead of stopping" };
        var command = new Command("rotate", "Make a new encryption key and re-encrypt every stored token with it") { db, masterKey, drop };
        command.SetAction(async (p, ct) =>
        {
            using var host = await CliServices.StartAsync(p.GetValue(db), ct, p.GetValue(masterKey));
            var result = await host.Services.GetRequiredService<KeyRing>().RotateAsync(p.GetValue(drop), ct);
            Console.WriteLine($"New key {result.NewKeyId}: {result.Reprotected} tokens re-encrypted{(result.Unreadable > 0 ? $", {result.Unreadable} unreadable dropped (needs_reauth)" : "")}.");
            return 0;
        });
        return command;
    }

    private static Command NewMaster()
    {
        var db = CommonOptions.Db();
        var masterKey = CommonOptions.MasterKey();
        var command = new Command("new-master", "The master key is lost: make a new one; every stored token is dropped and its owner must connect again") { db, masterKey };
        command.SetAction(async (p, ct) =>
        {
            using var host = await CliServices.StartAsync(p.GetValue(db), ct, p.GetValue(masterKey));
            var dropped = await host.Services.GetRequiredService<KeyRing>().NewMasterKeyAsync(ct);
            Console.WriteLine($"New master key written; {dropped} connections now show needs_reauth until their owners connect again.");
            return 0;
        });
        return command;
    }
}
