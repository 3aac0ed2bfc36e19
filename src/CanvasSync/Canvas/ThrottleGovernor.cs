using System.Collections.Concurrent;

namespace CanvasSync.Canvas;

/// <summary>
/// How many requests one token keeps in flight. Canvas reserves 50 units of a 600 budget per request in flight and
/// refuses a request that arrives with the bucket at 550 or more (docs/canvas.md §4): about 11 others in flight at the
/// server. X-Rate-Limit-Remaining on each answer says how full the bucket is, so the governor steers by it:
/// <list type="bullet">
/// <item>more than <see cref="SlowStart"/> left (2 or fewer others in flight): open up by one per answer;</item>
/// <item>more than <see cref="HighWater"/>: open up gently, by one per full window of answers;</item>
/// <item>between <see cref="LowWater"/> and <see cref="HighWater"/> (5 to 7 others): hold;</item>
/// <item>less than <see cref="LowWater"/>: shrink by a tenth on each such answer, before Canvas refuses anything;</item>
/// <item>a refusal: halve;</item>
/// <item>nothing in flight for longer than <see cref="IdleAfter"/>: a new burst starts at no more than
/// <see cref="RestartLimit"/>. An allowance learned while requests were staggered (part of each one's time is network,
/// outside the bucket) is not safe for requests that all set off at once; an empty bucket always admits 8 (TCP's
/// restart after idle, RFC 2861).</item>
/// </list>
/// The same rule backs off when costly requests fill the bucket faster than it leaks. One request at a time is safe
/// and slow; this keeps as many in flight as the budget allows without being refused.
/// </summary>
internal sealed class ThrottleGovernor
{
    public const double SlowStart = 450;
    public const double HighWater = 350;
    public const double LowWater = 250;
    public const double RestartLimit = 8;
    /// <summary>Longer than a round trip: a moment with nothing in flight mid-run (answers waiting to be written) is no pause.</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _waiting = new();
    private readonly int _maxInFlight;
    private double _limit;
    private int _inFlight;
    private readonly TimeProvider _time;
    private long _lastRelease;

    /// <param name="time">The clock a pause is measured by (the system's; a test's fake one advances at will).</param>
    public ThrottleGovernor(int maxInFlight, double initialLimit = 4, TimeProvider? time = null)
    {
        _maxInFlight = Math.Max(1, maxInFlight);
        _limit = Math.Clamp(initialLimit, 1, _maxInFlight);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The current allowance of requests in flight.</summary>
    public int Limit { get { lock (_lock) return (int)_limit; } }
    public int InFlight { get { lock (_lock) return _inFlight; } }
    /// <summary>The last X-Rate-Limit-Remaining Canvas reported.</summary>
    public double? LastRemaining { get; private set; }

    /// <summary>Waits for room, then holds one request slot until disposed.</summary>
    public async ValueTask<Slot> AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource wait;
            lock (_lock)
            {
                if (_inFlight == 0 && _lastRelease != 0 && _time.GetElapsedTime(_lastRelease) > IdleAfter)
                    _limit = Math.Min(_limit, RestartLimit);
                if (_inFlight < (int)_limit)
                {
                    _inFlight++;
                    return new Slot(this, _inFlight);
                }

                wait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Enqueue(wait);
            }

            try
            {
                await wait.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Mark our place as abandoned so no wake is spent on it; and if a wake already reached us, pass it on.
                wait.TrySetCanceled(CancellationToken.None);
                lock (_lock) WakeLocked();
                throw;
            }
        }
    }

    /// <summary>Adapts to what Canvas said about the bucket after a request.</summary>
    public void OnResponse(double? remaining)
    {
        if (remaining is not { } r) return;
        lock (_lock)
        {
            LastRemaining = r;
            if (r < LowWater) _limit = Math.Max(1, _limit * 0.9);
            else if (r > SlowStart) _limit = Math.Min(_maxInFlight, _limit + 1);
            else if (r > HighWater) _limit = Math.Min(_maxInFlight, _limit + 1 / _limit);
            WakeLocked();
        }
    }

    /// <summary>Canvas refused a request: halve the allowance.</summary>
    public void OnThrottled()
    {
        lock (_lock)
        {
            _limit = Math.Max(1, _limit / 2);
            LastRemaining = 0;
        }
    }

    private void Release()
    {
        lock (_lock)
        {
            _inFlight--;
            _lastRelease = _time.GetTimestamp();
            WakeLocked();
        }
    }

    private void WakeLocked()
    {
        // Wake as many waiters as there is room for (each re-checks under the lock), skipping abandoned places.
        var room = (int)_limit - _inFlight;
        while (room > 0 && _waiting.TryDequeue(out var next))
        {
            if (next.TrySetResult()) room--;
        }
    }

    public readonly struct Slot(ThrottleGovernor governor, int inFlightWhenAcquired) : IDisposable
    {
        public int InFlightWhenAcquired { get; } = inFlightWhenAcquired;
        public void Dispose() => governor.Release();
    }
}

/// <summary>One governor per token (the bucket is per token), shared by every session that uses it.</summary>
internal sealed class ThrottleGovernors
{
    private readonly ConcurrentDictionary<string, ThrottleGovernor> _governors = new(StringComparer.Ordinal);

    /// <summary>One governor per Canvas and budget (<see cref="CanvasCredential.BudgetKey"/>, which never holds a token).</summary>
    public ThrottleGovernor For(Uri baseUrl, string budgetKey, int maxInFlight) =>
        _governors.GetOrAdd(baseUrl.GetLeftPart(UriPartial.Authority) + "\n" + budgetKey, _ => new ThrottleGovernor(maxInFlight));
}
