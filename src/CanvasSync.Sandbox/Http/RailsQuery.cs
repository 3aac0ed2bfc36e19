using System.Text;

namespace CanvasSync.Sandbox.Http;

/// <summary>
/// A query string as Rails sees it: <c>include[]=a&amp;include[]=b</c> is the array "include", a repeated plain key
/// keeps its last value. <see cref="ToQuery"/> rebuilds it as Rails' <c>to_query</c> does for pagination links.
/// </summary>
internal sealed class RailsQuery
{
    private readonly List<(string Key, bool IsArray, List<string> Values)> _params = [];

    public static RailsQuery Parse(string? queryString)
    {
        var q = new RailsQuery();
        if (string.IsNullOrEmpty(queryString)) return q;
        foreach (var piece in queryString.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = piece.IndexOf('=');
            var rawKey = Unescape(eq < 0 ? piece : piece[..eq]);
            var value = eq < 0 ? "" : Unescape(piece[(eq + 1)..]);
            var isArray = rawKey.EndsWith("[]", StringComparison.Ordinal);
            var key = isArray ? rawKey[..^2] : rawKey;
            var existing = q._params.FindIndex(p => p.Key == key);
            if (existing < 0) q._params.Add((key, isArray, [value]));
            else if (isArray && q._params[existing].IsArray) q._params[existing].Values.Add(value);
            else q._params[existing] = (key, isArray, [value]);
        }

        return q;
    }

    public string? Get(string key)
    {
        var p = _params.Find(x => x.Key == key);
        return p.Key is null ? null : p.Values[^1];
    }

    /// <summary>Values of <c>key[]</c>; a plain <c>key=v</c> counts as one value, as Canvas's Array(params[key]) does.</summary>
    public IReadOnlyList<string> GetArray(string key)
    {
        var p = _params.Find(x => x.Key == key);
        return p.Key is null ? [] : p.Values;
    }

    public bool Has(string key) => _params.Exists(p => p.Key == key);

    public bool Includes(string value, string key = "include") => GetArray(key).Contains(value, StringComparer.Ordinal);

    /// <summary>Rails to_query minus the excluded keys: each key's part escaped, parts sorted, joined by &amp;.</summary>
    public string ToQuery(IReadOnlySet<string> exclude)
    {
        var parts = new List<string>();
        foreach (var (key, isArray, values) in _params)
        {
            if (exclude.Contains(key)) continue;
            parts.Add(isArray
                ? string.Join('&', values.Select(v => $"{CgiEscape(key + "[]")}={CgiEscape(v)}"))
                : $"{CgiEscape(key)}={CgiEscape(values[^1])}");
        }

        parts.Sort(StringComparer.Ordinal);
        return string.Join('&', parts);
    }

    /// <summary>Ruby CGI.escape: unreserved a-zA-Z0-9_.-~ kept, space as +, the rest %XX uppercase.</summary>
    public static string CgiEscape(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.' or '-' or '~') sb.Append(c);
            else if (c == ' ') sb.Append('+');
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static string Unescape(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
}
