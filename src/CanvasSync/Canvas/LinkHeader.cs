using System.Text.RegularExpressions;

namespace CanvasSync.Canvas;

/// <summary>Reads a pagination Link header: URLs by rel, rels case-insensitive, URLs kept exactly as given.</summary>
internal static partial class LinkHeader
{
    [GeneratedRegex("""<(?<url>[^>]*)>\s*;\s*rel\s*=\s*"?(?<rel>[A-Za-z]+)"?""")]
    private static partial Regex Link();

    public static Dictionary<string, string> Parse(IEnumerable<string> values)
    {
        var rels = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in values)
        {
            foreach (Match m in Link().Matches(value)) rels.TryAdd(m.Groups["rel"].Value, m.Groups["url"].Value);
        }

        return rels;
    }
}
