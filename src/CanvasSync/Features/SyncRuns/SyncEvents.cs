using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// One event of a run, numbered from 1 within the run so a listener that lost its connection can ask for what came
/// after the last number it saw (SSE's Last-Event-ID). Kinds: progress, milestone (25, 50, 75), course_started,
/// course_done, and one final event named after the run's status (completed, failed, cancelled, needs_reauth, ...).
/// </summary>
public sealed record SyncEvent(long RunId, long Id, string Kind, SyncProgress Progress, long? CourseId = null, int? Milestone = null)
{
    public bool IsFinal => Kind is not ("progress" or "milestone" or "course_started" or "course_done");
}

/// <summary>
/// The in-process stream of every run's events: the engine publishes, listeners (the API's server-sent events)
/// subscribe. Each run keeps its last events (a bounded history), so a late or returning listener gets them first,
/// then the live ones, and the stream ends with the final event. A run in another process is not here; its row
/// (updated at each checkpoint) is what a listener polls instead.
/// </summary>
public sealed class SyncEvents(TimeProvider time)
{
    private const int History = 1000;
    private static readonly TimeSpan KeepFinished = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<long, RunStream> _runs = new();

    public void Publish(long runId, string kind, SyncProgress progress, long? courseId = null, int? milestone = null)
    {
        var stream = _runs.GetOrAdd(runId, _ => new RunStream());
        stream.Add(e => new SyncEvent(runId, e, kind, progress, courseId, milestone), time.GetUtcNow());
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

        public void Add(Func<long, SyncEvent> make, DateTimeOffset now)
        {
            lock (_gate)
            {
                var e = make(++_lastId);
                _history.Enqueue(e);
                if (_history.Count > History) _history.Dequeue();
                if (e.IsFinal) FinishedAt = now;
                foreach (var listener in _listeners) listener.Writer.TryWrite(e);
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
