using CanvasSync.Data;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Features.Monitoring;

/// <summary>GET metrics/summary. Durations are of the runs that succeeded; items are those Canvas served to non-dry runs.</summary>
internal sealed record MetricsSummary(int Days, DateTime Since, int TotalSyncs, int Succeeded, int Failed, int Cancelled,
    int CompletedWithErrors,
    double? SuccessRate, double? AverageDurationSeconds, double? P95DurationSeconds, long ItemsSynced,
        IReadOnlyDictionary<string, int> ByStatus);

/// <summary>One UTC day of GET metrics/performance. Succeeded and Failed as in the summary (cancelled runs are neither).</summary>
internal sealed record DayPerformance(DateOnly Date, int Count, double? SuccessRate, double? P50DurationSeconds, double? P95DurationSeconds,
    double? ItemsPerSecond, int Succeeded, int Failed);

/// <summary>The arithmetic of the metrics API, on facts already read.</summary>
internal static class MetricsFigures
{
    public static MetricsSummary Summary(int days, DateTime since, IReadOnlyList<RunFacts> runs)
    {
        var durations = runs.Where(r => r.Succeeded && r.Started).Select(r => r.Seconds).ToList();
        return new MetricsSummary(days, since, runs.Count, runs.Count(r => r.Succeeded), runs.Count(r => r.FailedRun),
            runs.Count(r => r.Status == SyncStatus.Cancelled), runs.Count(r => r.Status == SyncStatus.CompletedWithErrors),
                SuccessRate(runs),
            durations.Count == 0 ? null : Math.Round(durations.Average(), 3), Percentile(durations, 0.95),
            runs.Where(r => !r.DryRun).Sum(r => r.Items),
            runs.GroupBy(r => SnakeCase.From(r.Status.ToString())).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count()));
    }

    /// <summary>Every day from <paramref name="since"/> to <paramref name="today"/>, days without runs included (count 0).</summary>
    public static List<DayPerformance> PerDay(DateOnly since, DateOnly today, IReadOnlyList<RunFacts> runs)
    {
        var byDay = runs.ToLookup(r => DateOnly.FromDateTime(r.FinishedAt));
        var days = new List<DayPerformance>();
        for (var day = since; day <= today; day = day.AddDays(1))
        {
            var these = byDay[day].ToList();
            var succeeded = these.Where(r => r.Succeeded && r.Started).ToList();
            var durations = succeeded.Select(r => r.Seconds).ToList();
            var busy = succeeded.Where(r => !r.DryRun).Sum(r => r.Seconds);
            days.Add(new DayPerformance(day, these.Count, SuccessRate(these), Percentile(durations, 0.50), Percentile(durations, 0.95),
                busy > 0 ? Math.Round(succeeded.Where(r => !r.DryRun).Sum(r => r.Items) / busy, 1) : null,
                these.Count(r => r.Succeeded), these.Count(r => r.FailedRun)));
        }

        return days;
    }

    /// <summary>Succeeded runs over runs that either succeeded or failed (a cancelled run says nothing of health); null with
    /// none.</summary>
    public static double? SuccessRate(IReadOnlyCollection<RunFacts> runs)
    {
        var judged = runs.Count(r => r.Succeeded || r.FailedRun);
        return judged == 0 ? null : Math.Round((double)runs.Count(r => r.Succeeded) / judged, 4);
    }

    /// <summary>The <paramref name="p"/> quantile, interpolating between the two nearest ranks; null for no values.</summary>
    public static double? Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return Math.Round(sorted[low] + (sorted[high] - sorted[low]) * (rank - low), 3);
    }
}
