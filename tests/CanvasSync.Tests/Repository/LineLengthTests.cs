using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CanvasSync.Tests.Repository;

/// <summary>
/// .editorconfig's max_line_length = 140 for the C# we write (EF's generated migrations aside). A line may run past it
/// only inside a string literal, where a break would change the text.
/// </summary>
public sealed class LineLengthTests
{
    private const int Limit = 140;

    [Fact]
    public void Hand_written_csharp_lines_are_at_most_140_characters_except_inside_a_string()
    {
        var root = RepositoryRoot();
        var over = new List<string>();
        var files = new[] { "src", "tests", "bench" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories));
        foreach (var path in files)
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal)
                || relative.Contains("/Data/Migrations/", StringComparison.Ordinal)) continue;
            var text = File.ReadAllText(path);
            if (!text.Split('\n').Any(l => l.Length > Limit)) continue;
            var tree = CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Preview));
            foreach (var line in tree.GetText().Lines.Where(l => l.Span.Length > Limit))
            {
                if (!InString(tree.GetRoot().FindToken(line.Start + Limit))) over.Add($"{relative}:{line.LineNumber + 1}");
            }
        }

        Assert.True(over.Count == 0, $"{over.Count} lines over {Limit} characters:\n{string.Join('\n', over)}");
    }

    private static bool InString(SyntaxToken token) =>
        token.Kind() is SyntaxKind.StringLiteralToken or SyntaxKind.InterpolatedStringTextToken
            or SyntaxKind.SingleLineRawStringLiteralToken or SyntaxKind.MultiLineRawStringLiteralToken or SyntaxKind.Utf8StringLiteralToken
        || token.Parent?.AncestorsAndSelf().Any(n => n is InterpolatedStringExpressionSyntax) == true;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CanvasSync.slnx"))) return dir.FullName;
        throw new InvalidOperationException("CanvasSync.slnx not found above " + AppContext.BaseDirectory);
    }
}
