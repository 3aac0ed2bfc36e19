using System.Collections.Concurrent;
using CanvasSync.Canvas;

namespace CanvasSync.Tests.Infrastructure;

/// <summary>Keeps every item a full read delivers, as raw JSON per collection.</summary>
public sealed class CollectingSink : ICanvasPageSink
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _items = new();

    public ConcurrentQueue<string> Failures { get; } = new();

    public HashSet<string> Raw(string collection) =>
        _items.TryGetValue(collection, out var items) ? items.Values.ToHashSet() : [];

    public ValueTask OnPageAsync<T>(CanvasPage<T> page, long? courseId, CancellationToken cancellationToken)
    {
        var items = _items.GetOrAdd(page.Collection, _ => new());
        foreach (var item in page.Items) items[item.Key] = item.RawJson;
        return ValueTask.CompletedTask;
    }

    public ValueTask OnCollectionFailedAsync(string collection, long? courseId, CanvasException error, CancellationToken cancellationToken)
    {
        Failures.Enqueue($"{collection} {courseId}: {error.Message}");
        return ValueTask.CompletedTask;
    }
}
