using System.Diagnostics;
using System.Text.Json;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// How long each phase of a run took: the token check ("connect"), each kind of collection ("courses",
/// "submissions", ...) and the wrap-up ("finish": tasks, teams, the run's record). A phase's time is the wall-clock span
/// from its first request to its last write. Collections of different kinds run side by side, so the spans overlap
/// and do not add up to the run's duration. A resumed run adds each attempt's spans.
/// </summary>
internal sealed class PhaseTimes
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (TimeSpan First, TimeSpan Last)> _spans = new(StringComparer.Ordinal);

    /// <summary>The phase was at work now: it starts here if it had not, and lasts at least until now.</summary>
    public void Mark(string phase)
    {
        var now = _clock.Elapsed;
        lock (_gate) _spans[phase] = _spans.TryGetValue(phase, out var span) ? (span.First, now) : (now, now);
    }

    /// <summary>The spans of this attempt added to those an earlier attempt recorded (<paramref name="beforeJson"/>), as JSON.</summary>
    public string ToJson(string beforeJson)
    {
        var seconds = JsonSerializer.Deserialize<Dictionary<string, double>>(beforeJson) ?? [];
        lock (_gate)
        {
            foreach (var (phase, span) in _spans)
                seconds[phase] = Math.Round(seconds.GetValueOrDefault(phase) + (span.Last - span.First).TotalSeconds, 3);
        }

        return JsonSerializer.Serialize(seconds.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary());
    }

    public static IReadOnlyDictionary<string, double> Parse(string json) => JsonSerializer.Deserialize<Dictionary<string, double>>(json)
        ?? [];
}
