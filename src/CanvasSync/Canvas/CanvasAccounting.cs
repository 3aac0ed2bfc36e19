using System.Collections.Concurrent;

namespace CanvasSync.Canvas;

/// <summary>What talking to Canvas cost during one run: for the sync summary and the metrics. Thread-safe.</summary>
internal sealed class CanvasAccounting
{
    private readonly ConcurrentDictionary<string, long> _retries = new(StringComparer.Ordinal);
    private long _requests;
    private long _pages;
    private long _items;
    private long _bytes;
    private long _costMicros;
    private long _throttled;
    private long _failed;
    private long _skippedItems;
    private long _duplicateItems;
    private int _maxInFlight;

    public long Requests => Interlocked.Read(ref _requests);
    public long Pages => Interlocked.Read(ref _pages);
    public long Items => Interlocked.Read(ref _items);
    /// <summary>Body bytes after decompression.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);
    /// <summary>Sum of X-Request-Cost: the server time Canvas charged to the token's bucket.</summary>
    public double RequestCost => Interlocked.Read(ref _costMicros) / 1e6;
    /// <summary>Responses that were rate-limit refusals (each was retried).</summary>
    public long Throttled => Interlocked.Read(ref _throttled);
    /// <summary>Requests that failed for good (after retries, or not retryable).</summary>
    public long Failed => Interlocked.Read(ref _failed);
    /// <summary>Items Canvas served that could not be read (bad data): logged and skipped.</summary>
    public long SkippedItems => Interlocked.Read(ref _skippedItems);
    /// <summary>Items Canvas repeated on a later page of the same collection, dropped.</summary>
    public long DuplicateItems => Interlocked.Read(ref _duplicateItems);
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);
    public IReadOnlyDictionary<string, long> RetriesByCause => _retries;
    public long Retries => _retries.Values.Sum();

    internal void Request() => Interlocked.Increment(ref _requests);
    internal void ResponseBody(long bytes) => Interlocked.Add(ref _bytes, bytes);

    internal void Page(int items)
    {
        Interlocked.Increment(ref _pages);
        Interlocked.Add(ref _items, items);
    }

    internal void Cost(double seconds) => Interlocked.Add(ref _costMicros, (long)(seconds * 1e6));
    internal void ThrottledResponse() => Interlocked.Increment(ref _throttled);
    internal void FailedRequest() => Interlocked.Increment(ref _failed);
    internal void SkippedItem() => Interlocked.Increment(ref _skippedItems);
    internal void DuplicateItem() => Interlocked.Increment(ref _duplicateItems);
    internal void Retry(string cause) => _retries.AddOrUpdate(cause, 1, (_, n) => n + 1);

    internal void InFlight(int now)
    {
        var max = Volatile.Read(ref _maxInFlight);
        while (now > max && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max) max = Volatile.Read(ref _maxInFlight);
    }
}
