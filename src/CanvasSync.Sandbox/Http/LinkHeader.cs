namespace CanvasSync.Sandbox.Http;

/// <summary>
/// Canvas's pagination Link header (docs/canvas.md §3): links in the order current,next,prev,first,last joined by ","
/// with no space; query rebuilt by to_query without page/per_page/access_token/api_key, then
/// <c>page=P&amp;per_page=N</c> with the page unescaped. Links are added by priority next,last,prev,current,first and
/// adding stops once the header would pass 6 KB.
/// </summary>
internal static class LinkHeader
{
    public const int MaxBytes = 6 * 1024;
    private static readonly HashSet<string> Excluded = ["page", "per_page", "access_token", "api_key"];
    private static readonly string[] Priority = ["next", "last", "prev", "current", "first"];
    private static readonly string[] Order = ["current", "next", "prev", "first", "last"];

    public static string? Build(string baseUrl, RailsQuery query, int perPage, IReadOnlyDictionary<string, string> pages)
    {
        var rest = query.ToQuery(Excluded);
        var prefix = baseUrl + "?" + (rest.Length > 0 ? rest + "&" : "");
        var chosen = new Dictionary<string, string>();
        var total = 0;
        foreach (var rel in Priority)
        {
            if (!pages.TryGetValue(rel, out var page)) continue;
            var link = $"<{prefix}page={page}&per_page={perPage}>; rel=\"{rel}\"";
            var added = link.Length + (chosen.Count > 0 ? 1 : 0);
            if (total + added > MaxBytes) break;
            total += added;
            chosen[rel] = link;
        }

        return chosen.Count == 0 ? null : string.Join(',', Order.Where(chosen.ContainsKey).Select(r => chosen[r]));
    }
}
