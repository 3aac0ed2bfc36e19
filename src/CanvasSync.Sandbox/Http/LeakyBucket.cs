using System.Collections.Concurrent;

namespace CanvasSync.Sandbox.Http;

/// <summary>
/// One client's bucket, as increment_bucket.lua: leak (only while the count is positive), add, clamp to [0, maximum].
/// </summary>
internal sealed class LeakyBucket(TimeProvider time)
{
    private readonly Lock _lock = new();
    private double _count;
    private long _last = time.GetTimestamp();

    public double Increment(double amount, ThrottleSettings s)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (_count > 0) _count -= s.OutflowPerSecond * time.GetElapsedTime(_last, now).TotalSeconds;
            _last = now;
            _count = Math.Clamp(_count + amount, 0, s.Maximum);
            return _count;
        }
    }
}

/// <summary>Buckets by client identifier: the token (invalid ones too), else the peer address.</summary>
internal sealed class Buckets(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, LeakyBucket> _buckets = new(StringComparer.Ordinal);

    public LeakyBucket For(string clientKey) => _buckets.GetOrAdd(clientKey, _ => new LeakyBucket(time));

    public void Clear() => _buckets.Clear();
}
