namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// A run's three figures, defined once here and shown with the same value everywhere: the CLI, the log line, the API,
/// the history and monitoring pages, Prometheus.
/// <list type="bullet">
/// <item><b>duration</b>: the seconds nodes worked on it (<see cref="SyncRun.ActiveSeconds"/>, summed over attempts;
/// neither its wait in the queue nor the time between a crash and its resume);</item>
/// <item><b>items read</b>: the items Canvas served it (<see cref="SyncRun.Items"/>);</item>
/// <item><b>rows changed</b>: the rows it created, updated or deleted, each row counted once per run (a classmate
/// listed in four courses is one user).</item>
/// </list>
/// </summary>
internal static class RunFigures
{
    public static double DurationSeconds(SyncRun run) => Math.Round(run.ActiveSeconds, 3);

    public static long ItemsRead(SyncRun run) => run.Items;

    public static long RowsChanged(IEnumerable<SyncRunCount> counts) => counts.Sum(c => c.Created + c.Updated + c.Deleted);

    public static long RowsChanged(IEnumerable<EntityCounts> counts) => counts.Sum(c => c.Created + c.Updated + c.Deleted);
}
