using System.Diagnostics;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// Turns a run's page writes into progress and events: percent (never going back), estimated total, ETA, the 25/50/75
/// milestones, and when each course starts and is done (its last open collection finished).
/// </summary>
internal sealed class ProgressTracker(long runId, int attempt, long? estimatedTotal, SyncEvents events)
{
    private static readonly int[] Milestones = [25, 50, 75];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly Dictionary<long, int> _openPerCourse = [];
    private readonly List<(string Kind, long? CourseId, int? Milestone)> _pending = [];
    private double _percent;
    private SyncProgress? _last;

    public SyncProgress Next(CheckpointWork work, bool collectionDone, IReadOnlyList<CheckpointWork> opened, long itemsDone,
        int collectionsDone,
        int collectionsKnown, long requests, long throttled)
    {
        lock (_gate)
        {
            foreach (var child in opened.Where(c => c.CourseId != 0))
            {
                if (!_openPerCourse.TryGetValue(child.CourseId, out var open)) _pending.Add(("course_started", child.CourseId, null));
                _openPerCourse[child.CourseId] = open + 1;
            }

            if (collectionDone && work.CourseId != 0 && _openPerCourse.TryGetValue(work.CourseId, out var left))
            {
                _openPerCourse[work.CourseId] = left - 1;
                if (left == 1) _pending.Add(("course_done", work.CourseId, null));
            }

            var byCollections = collectionsKnown == 0 ? 0 : 100.0 * collectionsDone / collectionsKnown;
            var raw = estimatedTotal is > 0 ? 100.0 * itemsDone / estimatedTotal.Value : byCollections;
            var previous = _percent;
            _percent = Math.Max(_percent, Math.Round(Math.Min(raw, 99.9), 1));
            _pending.AddRange(Milestones.Where(m => previous < m && _percent >= m).Select(m => ("milestone", (long?)null, (int?)m)));

            var elapsed = _clock.Elapsed.TotalSeconds;
            double? eta = _percent > 0 ? Math.Round(elapsed * (100 - _percent) / _percent, 1) : null;
            return _last = new SyncProgress(runId, work.Kind, work.CourseId == 0 ? null : work.CourseId, itemsDone, collectionsDone,
                collectionsKnown,
                requests, throttled, _percent, estimatedTotal is { } e ? Math.Max(e, itemsDone) : null, Math.Round(elapsed, 1), eta);
        }
    }

    /// <summary>After the page committed: the progress event, then any course and milestone events it brought.</summary>
    public void Publish(SyncProgress progress)
    {
        List<(string Kind, long? CourseId, int? Milestone)> pending;
        lock (_gate)
        {
            pending = [.. _pending];
            _pending.Clear();
        }

        events.Publish(runId, attempt, "progress", progress);
        foreach (var (kind, course, milestone) in pending) events.Publish(runId, attempt, kind, progress, course, milestone);
    }

    /// <summary>The final event, named after the run's status.</summary>
    public void Finish(string status, bool completed, long requests, long throttled)
    {
        var last = _last ?? new SyncProgress(runId, "finished", null, 0, 0, 0, requests, throttled);
        events.Publish(runId, attempt, status, last with
        {
            Phase = "finished",
            Percent = completed ? 100 : last.Percent,
            Requests = requests,
            Throttled = throttled,
            ElapsedSeconds = Math.Round(_clock.Elapsed.TotalSeconds, 1),
            EtaSeconds = completed ? 0 : null,
        });
    }
}
