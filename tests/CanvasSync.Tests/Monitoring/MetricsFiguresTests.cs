using CanvasSync.Features.Monitoring;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Tests.Monitoring;

public sealed class MetricsFiguresTests
{
    [Fact]
    public void Percentiles_interpolate_between_the_nearest_ranks()
    {
        double[] values = [10, 1, 4, 2, 3]; // sorted: 1 2 3 4 10
        Assert.Equal(3, MetricsFigures.Percentile(values, 0.5));
        Assert.Equal(8.8, MetricsFigures.Percentile(values, 0.95)); // rank 3.8: 4 + 0.8 * (10 - 4), as numpy's default
        Assert.Equal(1, MetricsFigures.Percentile(values, 0));
        Assert.Equal(10, MetricsFigures.Percentile(values, 1));
        Assert.Equal(7, MetricsFigures.Percentile([7], 0.95));
        Assert.Null(MetricsFigures.Percentile([], 0.5));
    }

    [Fact]
    public void Success_rate_leaves_cancelled_runs_out_and_durations_count_only_successes()
    {
        var day = new DateTime(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc);
        RunFacts[] runs =
        [
            new(SyncStatus.Completed, false, true, day, 10, 100),
            new(SyncStatus.CompletedWithErrors, false, true, day, 30, 50),
            new(SyncStatus.Failed, false, true, day, 500, 0),
            new(SyncStatus.Cancelled, false, true, day.AddDays(1), 5, 7),
            new(SyncStatus.Completed, true, true, day.AddDays(1), 20, 999), // a dry run: timed, but its items were not synced
        ];

        var summary = MetricsFigures.Summary(7, day.AddDays(-7), runs);
        Assert.Equal(5, summary.TotalSyncs);
        Assert.Equal(3, summary.Succeeded);
        Assert.Equal(1, summary.Failed);
        Assert.Equal(0.75, summary.SuccessRate);
        Assert.Equal(20, summary.AverageDurationSeconds); // 10, 30 and 20: the failure's 500 s is not a sync's duration
        Assert.Equal(157, summary.ItemsSynced);

        var days = MetricsFigures.PerDay(DateOnly.FromDateTime(day), DateOnly.FromDateTime(day.AddDays(2)), runs);
        Assert.Equal([3, 2, 0], days.Select(d => d.Count));
        Assert.Equal(3.8, days[0].ItemsPerSecond); // 150 items in 40 s of successful runs
        Assert.Equal(1.0, days[1].SuccessRate); // the cancelled run is not judged
        Assert.Null(days[2].SuccessRate);
    }
}
