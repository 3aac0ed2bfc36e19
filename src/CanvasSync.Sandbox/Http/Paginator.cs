using System.Text;
using System.Text.Json;

namespace CanvasSync.Sandbox.Http;

/// <summary>
/// Canvas's two kinds of pagination (docs/canvas.md §3). Numbered (Folio): page=1..N with first/last/prev/next, a page
/// past the end is 200 [] with current and first, a non-integer or ≤0 page is 404. Bookmark: page=first or
/// page=bookmark:base64url(JSON key of the last item), rels current/next/first only, and anything undecodable
/// (including page=2) silently means the first page.
/// </summary>
internal static class Paginator
{
    public const int DefaultPerPage = 10;
    public const int MaxPerPage = 100;

    /// <summary>Ruby's to_i then clamp(1, 100): "abc" and "0" give 1, "1000" gives 100, absent gives 10.</summary>
    public static int PerPage(RailsQuery q)
    {
        var raw = q.Get("per_page");
        if (raw is null) return DefaultPerPage;
        return (int)Math.Clamp(RubyToI(raw), 1, MaxPerPage);
    }

    public static long RubyToI(string s)
    {
        s = s.TrimStart();
        var i = 0;
        var negative = false;
        if (i < s.Length && s[i] is '-' or '+') negative = s[i++] == '-';
        long value = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            value = value * 10 + (s[i] - '0');
            if (value > int.MaxValue) break;
        }

        return negative ? -value : value;
    }

    /// <summary>One numbered page, or a 404 response for an invalid page.</summary>
    public static CanvasResponse Numbered<T>(CanvasRequest r, IReadOnlyList<T> items, Action<Utf8JsonWriter, T> write)
    {
        var perPage = PerPage(r.Query);
        var pageParam = r.Query.Get("page");
        long page = 1;
        if (pageParam is not null && (!long.TryParse(pageParam, out page) || page <= 0)) return CanvasErrors.InvalidPage();

        var last = Math.Max(1, (items.Count + perPage - 1) / perPage);
        var links = new Dictionary<string, string>
        {
            ["current"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["first"] = "1"
        };
        IEnumerable<T> slice = [];
        if (page <= last)
        {
            slice = items.Skip((int)((page - 1) * perPage)).Take(perPage);
            if (page < last) links["next"] = (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (page > 1) links["prev"] = (page - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            links["last"] = last.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var response = CanvasResponse.Array(slice, write);
        response.Link = LinkHeader.Build(r.CollectionUrl, r.Query, perPage, links);
        return response;
    }

    /// <summary>
    /// One bookmark page over <paramref name="sorted"/> (ascending by <paramref name="key"/>). <paramref name="rowFilter"/>
    /// is applied before paging (it shapes which rows exist); the caller applies any post-pagination filter to
    /// <see cref="BookmarkPage{T}.Items"/>, which is how Canvas produces short pages that still have a next link.
    /// </summary>
    public static BookmarkPage<T> Bookmark<T>(RailsQuery q, IReadOnlyList<T> sorted, Func<T, BookmarkKey> key,
        Func<T, bool>? rowFilter = null)
    {
        var perPage = PerPage(q);
        var pageParam = q.Get("page") ?? "first";
        var start = 0;
        if (sorted.Count > 0 && TryDecode(pageParam, key(sorted[0]), out var after))
        {
            // First index whose key is greater than the bookmark.
            int lo = 0, hi = sorted.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (key(sorted[mid]).CompareTo(after) <= 0) lo = mid + 1; else hi = mid;
            }

            start = lo;
        }

        var page = new List<T>(perPage);
        var i = start;
        for (; i < sorted.Count && page.Count < perPage; i++)
        {
            if (rowFilter is null || rowFilter(sorted[i])) page.Add(sorted[i]);
        }

        // Is there at least one more row? (Canvas fetches per_page + 1.)
        var more = false;
        for (; i < sorted.Count && !more; i++) more = rowFilter is null || rowFilter(sorted[i]);
        var next = more && page.Count > 0 ? "bookmark:" + Encode(key(page[^1])) : null;
        return new BookmarkPage<T>(page, pageParam, next, perPage);
    }

    public static void AddBookmarkLinks<T>(CanvasRequest r, CanvasResponse response, BookmarkPage<T> page)
    {
        var links = new Dictionary<string, string> { ["current"] = page.Current, ["first"] = "first" };
        if (page.Next is not null) links["next"] = page.Next;
        response.Link = LinkHeader.Build(r.CollectionUrl, r.Query, page.PerPage, links);
    }

    // Ruby's JSON writes non-ASCII raw, so bookmarks hold UTF-8 names, not \u escapes.
    private static readonly JsonSerializerOptions BookmarkJson =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Encode(BookmarkKey key)
    {
        var json = JsonSerializer.Serialize(key.Parts, BookmarkJson);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Decodes "bookmark:..." into a key of the same shape as <paramref name="shape"/>; false means first page.</summary>
    public static bool TryDecode(string page, BookmarkKey shape, out BookmarkKey key)
    {
        key = default;
        if (!page.StartsWith("bookmark:", StringComparison.Ordinal)) return false;
        try
        {
            var b64 = page["bookmark:".Length..].Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            using var doc = JsonDocument.Parse(Convert.FromBase64String(b64));
            if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.GetArrayLength() != shape.Parts.Length) return false;
            var parts = new object[shape.Parts.Length];
            var index = 0;
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                parts[index] = (shape.Parts[index], e.ValueKind) switch
                {
                    (long, JsonValueKind.Number) when e.TryGetInt64(out var n) => n,
                    (string, JsonValueKind.String) => e.GetString()!,
                    _ => throw new FormatException("bookmark shape"),
                };
                index++;
            }

            key = new BookmarkKey(parts);
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }
}

internal sealed record BookmarkPage<T>(List<T> Items, string Current, string? Next, int PerPage);

/// <summary>A bookmark's sort key: longs and strings, compared element by element.</summary>
internal readonly record struct BookmarkKey(object[] Parts) : IComparable<BookmarkKey>
{
    public static BookmarkKey Of(params object[] parts) => new(parts);

    public int CompareTo(BookmarkKey other)
    {
        for (var i = 0; i < Parts.Length; i++)
        {
            var c = (Parts[i], other.Parts[i]) switch
            {
                (long a, long b) => a.CompareTo(b),
                (string a, string b) => string.CompareOrdinal(a, b),
                _ => 0,
            };
            if (c != 0) return c;
        }

        return 0;
    }
}
