using System.CommandLine;
using CanvasSync.Features.Connections;

namespace CanvasSync.Cli.Common;

/// <summary>The words for what a user typed wrong: the nearest command or option for a misspelt one, the API's code for a rejected
/// Canvas.</summary>
internal static class CliUsage
{
    /// <summary>The parse's first error as one line; an unknown word names the nearest command or option of where it was typed.</summary>
    public static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (parse.UnmatchedTokens.Count > 0)
        {
            var typed = parse.UnmatchedTokens[0];
            var names = typed.StartsWith('-')
                ? command.Options.Concat(parse.RootCommandResult.Command.Options.Where(o => o.Recursive))
                    .SelectMany(o => o.Aliases.Prepend(o.Name))
                : command.Subcommands.Select(c => c.Name);
            var nearest = Nearest(typed, names);
            var what = typed.StartsWith('-') ? "option" : "command";
            return $"unknown {what} '{typed}'{(nearest is null ? "" : $"; did you mean '{nearest}'?")} ({Help(parse)} lists them)";
        }

        if (command.Subcommands.Count > 0 && command.Action is null)
            return $"which command? {string.Join(", ", command.Subcommands.Select(c => c.Name))} ({Help(parse)} says what each does)";

        // System.CommandLine lists allowed values on lines of their own: one line here.
        return string.Join(" ", parse.Errors[0].Message.Split('\n',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>A Canvas that refused the URL or token, as the API says it, with its code.</summary>
    public static string Rejection(ConnectRejectedException e) =>
        $"{e.Message.Replace("canvas_url", "--canvas-url", StringComparison.Ordinal).Replace("api_token", "--token", StringComparison.Ordinal)} [{e.Code}]";

    /// <summary>The closest name within two edits (or sharing the typed word as a prefix), else null.</summary>
    public static string? Nearest(string typed, IEnumerable<string> names) =>
        names.Select(n => (Name: n, Distance: n.StartsWith(typed, StringComparison.OrdinalIgnoreCase) && typed.TrimStart('-').Length >= 2
            ? 0 : Distance(typed, n)))
            .Where(x => x.Distance <= 2).OrderBy(x => x.Distance).Select(x => x.Name).FirstOrDefault();

    private static string Help(ParseResult parse)
    {
        var path = new List<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            path.Insert(0, c.Command.Name);
        path[0] = "canvas-sync";
        return string.Join(" ", path) + " --help";
    }

    /// <summary>Levenshtein distance, case-insensitive.</summary>
    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
