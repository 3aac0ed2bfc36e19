using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// One event of a run, numbered from 1 within the run so a listener that lost its connection can ask for what came
/// after the last number it saw (SSE's Last-Event-ID). Kinds: progress, milestone (25, 50, 75), course_started,
/// course_done, and one final event named after the run's status (completed, failed, cancelled, needs_reauth, ...).
/// </summary>
internal sealed record SyncEvent(long RunId, long Id, string Kind, SyncProgress Progress, long? CourseId = null, int? Milestone = null)
{
    public bool IsFinal => Kind is not ("progress" or "milestone" or "course_started" or "course_done");
}

/// <summary>
/// The stream of every run's events: the engine publishes, listeners (the API's server-sent events) subscribe. Each
/// run keeps its last events (a bounded history), so a late or returning listener gets them first, then the live
/// ones, and the stream ends with the final event. Runs on other nodes come in through <see cref="Accept"/> (see
/// Cluster/ClusterSignals); what this node publishes goes out to them through <see cref="Published"/>.
/// </summary>
internal sealed class SyncEvents(TimeProvider time)
{
    /// <summary>
    /// A run's attempt n (its n-th start or resume, perhaps on another node) numbers its events from
    /// (n - 1) * IdsPerAttempt + 1, so ids keep rising across a failover and Last-Event-ID stays meaningful.
    /// </summary>
    public const long IdsPerAttempt = 1_000_000;

    private const int History = 1000;
    private static readonly TimeSpan KeepFinished = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<long, RunStream> _runs = new();

    /// <summary>Every event this node publishes, as it is published (for the other nodes).</summary>
    public event Action<SyncEvent>? Published;

    public void Publish(long runId, int attempt, string kind, SyncProgress progress, long? courseId = null, int? milestone = null)
    {
        var stream = _runs.GetOrAdd(runId, _ => new RunStream());
        var e = stream.Add(id => new SyncEvent(runId, id, kind, progress, courseId, milestone),
            Math.Max(0, attempt - 1) * IdsPerAttempt + 1, time.GetUtcNow());
        Published?.Invoke(e);
        Forget();
    }

    /// <summary>An event another node published; one already seen (or older than what this node has) is ignored.</summary>
    public void Accept(SyncEvent e)
    {
        _runs.GetOrAdd(e.RunId, _ => new RunStream()).Add(_ => e, e.Id, time.GetUtcNow());
        Forget();
    }

    /// <summary>Whether this process has (or recently had) events of the run.</summary>
    public bool Knows(long runId) => _runs.ContainsKey(runId);

    /// <summary>The run's events after <paramref name="afterId"/>, then live ones until the final event.</summary>
    public async IAsyncEnumerable<SyncEvent> ReadAsync(long runId, long afterId, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var stream = _runs.GetOrAdd(runId, _ => new RunStream());
        var (past, live) = stream.Subscribe(afterId);
        try
        {
            foreach (var e in past)
            {
                yield return e;
                if (e.IsFinal) yield break;
            }

            await foreach (var e in live.Reader.ReadAllAsync(ct))
            {
                if (e.Id <= afterId) continue;
                yield return e;
                if (e.IsFinal) yield break;
            }
        }
        finally
        {
            stream.Unsubscribe(live);
        }
    }

    /// <summary>Finished runs are dropped a while after their last event; listeners of old runs read the run row.</summary>
    private void Forget()
    {
        var now = time.GetUtcNow();
        foreach (var (id, stream) in _runs)
            if (stream.FinishedAt is { } at && now - at > KeepFinished) _runs.TryRemove(id, out _);
    }

    private sealed class RunStream
    {
        private readonly Lock _gate = new();
        private readonly Queue<SyncEvent> _history = new();
        private readonly List<Channel<SyncEvent>> _listeners = [];
        private long _lastId;

        public DateTimeOffset? FinishedAt { get; private set; }

        /// <summary>Adds the next event, numbered after the last one and from <paramref name="firstId"/> at least.</summary>
        public SyncEvent Add(Func<long, SyncEvent> make, long firstId, DateTimeOffset now)
        {
            lock (_gate)
            {
                var e = make(Math.Max(_lastId + 1, firstId));
                if (e.Id <= _lastId) return e; // an accepted event this stream already has
                _lastId = e.Id;
                _history.Enqueue(e);
                if (_history.Count > History) _history.Dequeue();
                if (e.IsFinal) FinishedAt = now;
                foreach (var listener in _listeners) listener.Writer.TryWrite(e);
                return e;
            }
        }

        public (List<SyncEvent> Past, Channel<SyncEvent> Live) Subscribe(long afterId)
        {
            lock (_gate)
            {
                var live = Channel.CreateUnbounded<SyncEvent>(new UnboundedChannelOptions { SingleReader = true });
                _listeners.Add(live);
                return (_history.Where(e => e.Id > afterId).ToList(), live);
            }
        }

        public void Unsubscribe(Channel<SyncEvent> live)
        {
            lock (_gate) _listeners.Remove(live);
        }
    }
}
