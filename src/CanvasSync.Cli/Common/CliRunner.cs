using System.CommandLine;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using CanvasSync.Security;
using Microsoft.Extensions.Options;

namespace CanvasSync.Cli.Common;

/// <summary>
/// Runs the command line. Every failure is one plain line on stderr saying what is wrong and what to do, and a
/// non-zero exit; a stack trace only with --verbose.
/// </summary>
internal static class CliRunner
{
    public const int UsageError = 2;
    public const int Failure = 1;

    /// <summary>The exit code of a run stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>--verbose, on every command: the log (framework lines included) and stack traces go to stderr.</summary>
    public static readonly Option<bool> Verbose =
        new("--verbose") { Description = "Write the log to stderr, with stack traces", Recursive = true };

    /// <summary>Whether this invocation asked for --verbose (read by <see cref="CliServices"/> when it sets up logging).</summary>
    public static bool IsVerbose { get; private set; }

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        root.Options.Add(Verbose);
        var parse = root.Parse(args);
        IsVerbose = parse.GetValue(Verbose);
        if (parse.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync($"canvas-sync: {CliUsage.Describe(parse)}");
            return UsageError;
        }

        try
        {
            // Ctrl+C cancels the command's token; a sync then lets go of its run so the next start resumes it. The
            // grace period is how long that may take before the process is ended anyway.
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(15)
            });
        }
        catch (OptionsValidationException e)
        {
            return await FailAsync($"configuration error: {ConfigurationErrors.Describe(e)}", e, UsageError);
        }
        catch (ConnectRejectedException e)
        {
            return await FailAsync(CliUsage.Rejection(e), e, Failure);
        }
        catch (Exception e) when (e is FormatException or UserDirectoryException or MasterKeyException or DatabaseTooOldException)
        {
            return await FailAsync(e.Message, e, UsageError);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Npgsql.NpgsqlException
                                      or Microsoft.Data.Sqlite.SqliteException)
        {
            return await FailAsync(DatabaseTarget.Redact(e.Message), e, Failure);
        }
        catch (OperationCanceledException e)
        {
            return await FailAsync("stopped (Ctrl+C)", e, Interrupted);
        }
        catch (Exception e)
        {
            // A bug of ours: still one line, and where to look.
            return await FailAsync($"unexpected error ({e.GetType().Name}: {DatabaseTarget.Redact(e.Message)}); run again with --verbose for the details", e, Failure);
        }
    }

    /// <summary>One line on stderr ("canvas-sync: ..."); with --verbose the exception's details after it.</summary>
    public static async Task<int> FailAsync(string line, Exception? e = null, int exitCode = Failure)
    {
        await Console.Error.WriteLineAsync($"canvas-sync: {line}");
        if (IsVerbose && e is not null) await Console.Error.WriteLineAsync(e.ToString());
        return exitCode;
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
