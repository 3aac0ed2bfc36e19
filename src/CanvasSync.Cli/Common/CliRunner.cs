using System.CommandLine;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Hosting;
using CanvasSync.Security;
using Microsoft.Extensions.Options;

namespace CanvasSync.Cli.Common;

/// <summary>
/// Runs the command line. A failure the user can fix (a bad option, a database that will not open) is one plain
/// line on stderr and a non-zero exit, never a stack trace.
/// </summary>
internal static class CliRunner
{
    public const int UsageError = 2;
    public const int Failure = 1;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One plain line: System.CommandLine lists the allowed values on lines of their own.
            var first = string.Join(" ", parse.Errors[0].Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            await Console.Error.WriteLineAsync($"canvas-sync: {first}");
            return UsageError;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"canvas-sync: configuration error: {ConfigurationErrors.Describe(e)}");
            return UsageError;
        }
        catch (Exception e) when (e is FormatException or UserDirectoryException or MasterKeyException or DatabaseTooOldException)
        {
            await Console.Error.WriteLineAsync($"canvas-sync: {e.Message}");
            return UsageError;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
        {
            await Console.Error.WriteLineAsync($"canvas-sync: {DatabaseTarget.Redact(e.Message)}");
            return Failure;
        }
    }
}

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static Option<string?> Db() => new("--db")
    {
        Description = "Database: sqlite:PATH or a PostgreSQL connection string (Host=...). Default: env CANVASSYNC_DB, then sqlite:canvas-sync.db",
    };

    public static Option<string?> MasterKey() => new("--master-key")
    {
        Description = "The master key file that encrypts the key ring (Security:MasterKeyFile). Default: canvas-sync.master.key",
    };
}
