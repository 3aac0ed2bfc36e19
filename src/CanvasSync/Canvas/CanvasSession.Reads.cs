using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas.Wire;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Canvas;

/// <summary>
/// What a session reads: a collection page by page, a single object, and the reads that are the client's own (who
/// the token belongs to, the token's record). A mirrored collection is read through its own path and wire type
/// (<c>SyncedCollection&lt;T&gt;.PagesAsync</c>). Each request goes through <see cref="FetchAsync"/>.
/// </summary>
internal sealed partial class CanvasSession
{
    private static readonly CanvasWireContext Wire = CanvasWireContext.Default;

    public Task<CanvasItem<CanvasUser>> GetSelfAsync(CancellationToken ct = default) =>
        GetAsync("users_self", "/api/v1/users/self", Wire.CanvasUser, ct);

    /// <summary>
    /// The token's own record, looked up by its hint (the first 5 characters after the shard prefix), for its
    /// expires_at. Canvas may refuse this to some tokens; callers treat any failure as "expiry unknown".
    /// </summary>
    public Task<CanvasItem<CanvasAccessToken>> GetOwnTokenAsync(string tokenHint, CancellationToken ct = default) =>
        GetAsync("token", "/api/v1/users/self/tokens/" + Uri.EscapeDataString(tokenHint), Wire.CanvasAccessToken, ct);

    public Task<CanvasItem<CanvasUser>> GetProfileAsync(CancellationToken ct = default) =>
        GetAsync("profile", "/api/v1/users/self/profile", Wire.CanvasUser, ct);

    /// <summary>
    /// Every page of a collection from <paramref name="pathOrUrl"/> (a path under the base URL, or a next-page URL
    /// from a checkpoint), following rel="next" exactly as given and stopping only when there is none. Items Canvas
    /// repeats on a later page are dropped; items that cannot be read are logged, counted and skipped.
    /// </summary>
    public async IAsyncEnumerable<CanvasPage<T>> PagesAsync<T>(string collection, string pathOrUrl, JsonTypeInfo<T> type,
        Func<JsonElement, string?>? key = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        key ??= IdKey;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Uri? url = Resolve(pathOrUrl);
        for (var pages = 1; url is not null; pages++)
        {
            // A Canvas whose next links never end (a hostile server) would otherwise be read forever.
            if (pages > _maxPagesPerCollection)
                throw new CanvasAnswerTooLargeException($"{collection}: more than {_maxPagesPerCollection} pages (Canvas:MaxPagesPerCollection); not read further");
            var (doc, next, linked) = await FetchAsync(url, cancellationToken);
            using (doc)
            {
                // Canvas stops adding page links once its Link header would pass 6 KB, and next is the first it adds: a
                // list answer with no link at all may have lost its next (docs/canvas.md §3). Ending there would drop
                // the rest of the list and call it complete.
                if (!linked)
                    throw new CanvasPageLinksLostException($"{collection}: Canvas answered {url.AbsolutePath} without page links (its Link header passes 6 KB when the query is {url.Query.Length} characters long); the rest of the list cannot be known");
                if (doc.RootElement.ValueKind != JsonValueKind.Array)
                    throw new CanvasProtocolException($"{collection}: Canvas answered {url.AbsolutePath} with a JSON {doc.RootElement.ValueKind}, not a list");
                var items = new List<CanvasItem<T>>(doc.RootElement.GetArrayLength());
                foreach (var element in doc.RootElement.EnumerateArray())
                {
                    if (Read(collection, element, type, key) is not { } item) continue;
                    if (!seen.Add(item.Key))
                    {
                        Accounting.DuplicateItem();
                        continue;
                    }

                    items.Add(item);
                }

                Accounting.Page(items.Count);
                yield return new CanvasPage<T>(collection, url, next, items);
            }

            url = next;
        }
    }

    /// <summary>A single object (users/self, a course).</summary>
    public async Task<CanvasItem<T>> GetAsync<T>(string collection, string path, JsonTypeInfo<T> type,
        CancellationToken cancellationToken = default)
    {
        var (doc, _, _) = await FetchAsync(Resolve(path), cancellationToken);
        using (doc)
        {
            return Read(collection, doc.RootElement, type, IdKey)
                ?? throw new CanvasProtocolException($"{collection}: Canvas answered {path} with an object CanvasSync cannot read");
        }
    }

    private CanvasItem<T>? Read<T>(string collection, JsonElement element, JsonTypeInfo<T> type, Func<JsonElement, string?> key)
    {
        try
        {
            if (key(element) is { } k && element.Deserialize(type) is { } value) return new CanvasItem<T>(k, value, element.GetRawText());
            LogSkippedItem(_logger, collection, "no id");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            LogSkippedItem(_logger, collection, e.GetType().Name);
        }

        Accounting.SkippedItem();
        return null;
    }

    public static string? IdKey(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out var id)
            ? id.ValueKind switch { JsonValueKind.Number => id.GetRawText(), JsonValueKind.String => id.GetString(), _ => null }
            : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canvas served a {Collection} item that cannot be read ({Problem}); skipped")]
    private static partial void LogSkippedItem(ILogger logger, string collection, string problem);
}
