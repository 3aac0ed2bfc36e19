using System.Collections.Concurrent;

namespace CanvasSync.Sandbox.Http;

/// <summary>What the sandbox has served, for tests and benchmarks.</summary>
internal sealed class SandboxStats
{
    private readonly ConcurrentDictionary<string, long> _byEndpoint = new();
    private readonly ConcurrentDictionary<int, long> _byStatus = new();
    private readonly ConcurrentDictionary<string, long> _faults = new();
    private readonly ConcurrentDictionary<string, int> _inFlight = new();
    private readonly ConcurrentDictionary<string, int> _maxInFlight = new();
    private readonly ConcurrentDictionary<string, byte> _userAgents = new();
    private long _requests;
    private long _throttled;
    private long _bytes;
    private long _costMicroseconds;

    public void Begin(string endpoint, string clientKey, string userAgent)
    {
        if (_userAgents.Count < 100) _userAgents.TryAdd(userAgent, 0);
        Interlocked.Increment(ref _requests);
        _byEndpoint.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
        var now = _inFlight.AddOrUpdate(clientKey, 1, (_, n) => n + 1);
        _maxInFlight.AddOrUpdate(clientKey, now, (_, max) => Math.Max(max, now));
    }

    public void End(string clientKey, int status, long bytes)
    {
        _inFlight.AddOrUpdate(clientKey, 0, (_, n) => n - 1);
        _byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void Throttled() => Interlocked.Increment(ref _throttled);

    /// <summary>A request's cost (X-Request-Cost: the server time Canvas charges to the bucket).</summary>
    public void Charged(double seconds) => Interlocked.Add(ref _costMicroseconds, (long)(seconds * 1_000_000));

    public void Fault(FaultKind kind) => _faults.AddOrUpdate(kind.ToString(), 1, (_, n) => n + 1);

    public object Snapshot(Func<string, string> describeClient) => new
    {
        requests = Interlocked.Read(ref _requests),
        throttled = Interlocked.Read(ref _throttled),
        bytes = Interlocked.Read(ref _bytes),
        cost_seconds = Interlocked.Read(ref _costMicroseconds) / 1_000_000.0,
        by_endpoint = _byEndpoint.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value),
        by_status = _byStatus.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture),
            kv => kv.Value),
        faults = _faults.ToDictionary(kv => kv.Key, kv => kv.Value),
        max_in_flight = _maxInFlight.ToDictionary(kv => describeClient(kv.Key), kv => kv.Value),
        user_agents = _userAgents.Keys.Order(StringComparer.Ordinal).ToList(),
    };

    public void Reset()
    {
        _byEndpoint.Clear();
        _byStatus.Clear();
        _faults.Clear();
        _maxInFlight.Clear();
        _userAgents.Clear();
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _throttled, 0);
        Interlocked.Exchange(ref _bytes, 0);
        Interlocked.Exchange(ref _costMicroseconds, 0);
    }
}
