namespace CanvasSync.Canvas;

/// <summary>One item as Canvas served it: its key, its typed view, and its JSON exactly as sent.</summary>
internal sealed record CanvasItem<T>(string Key, T Value, string RawJson);

/// <summary>
/// One page of a collection. <see cref="Next"/> is Canvas's rel="next" exactly as given (null on the last page): the
/// cursor a checkpoint stores to resume here.
/// </summary>
internal sealed record CanvasPage<T>(string Collection, Uri Url, Uri? Next, IReadOnlyList<CanvasItem<T>> Items);
