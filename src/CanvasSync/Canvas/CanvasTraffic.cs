namespace CanvasSync.Canvas;

/// <summary>
/// What this process's Canvas requests met, over every token and run since it started: answers by status class,
/// rate-limit refusals and the last X-Rate-Limit-Remaining seen. The Prometheus figures read it; the per-run
/// figures are <see cref="CanvasAccounting"/>'s. Thread-safe.
/// </summary>
internal sealed class CanvasTraffic
{
    /// <summary>"1xx" to "5xx" by index 1 to 5; index 0 counts requests that got no answer (timeouts, refused connections).</summary>
    private readonly long[] _byClass = new long[6];
    private long _throttled;
    private long _remainingBits = BitConverter.DoubleToInt64Bits(double.NaN);

    public static readonly IReadOnlyList<string> StatusClasses = ["none", "1xx", "2xx", "3xx", "4xx", "5xx"];

    internal void Answered(int status) => Interlocked.Increment(ref _byClass[status is >= 100 and < 600 ? status / 100 : 0]);

    internal void NoAnswer() => Interlocked.Increment(ref _byClass[0]);

    internal void Throttled() => Interlocked.Increment(ref _throttled);

    internal void Remaining(double remaining) => Interlocked.Exchange(ref _remainingBits, BitConverter.DoubleToInt64Bits(remaining));

    /// <summary>Requests by status class (see <see cref="StatusClasses"/>).</summary>
    public long Requests(int statusClassIndex) => Interlocked.Read(ref _byClass[statusClassIndex]);

    public long ThrottledResponses => Interlocked.Read(ref _throttled);

    /// <summary>The last X-Rate-Limit-Remaining any token's answer carried; NaN before the first.</summary>
    public double LastRemaining => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _remainingBits));
}
