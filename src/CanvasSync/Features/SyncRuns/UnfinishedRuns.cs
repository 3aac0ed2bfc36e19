namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// "The connection's unfinished run", said once: queued or running. A connection has at most one (the unique index
/// IX_sync_runs_one_unfinished_per_connection, whose filter says the same in SQL).
/// </summary>
internal static class UnfinishedRuns
{
    public static bool IsUnfinished(this SyncStatus status) => status is SyncStatus.Queued or SyncStatus.Running;

    public static IQueryable<SyncRun> Unfinished(this IQueryable<SyncRun> runs) =>
        runs.Where(r => r.Status == SyncStatus.Queued || r.Status == SyncStatus.Running);

    /// <summary>Ended, whichever way: the complement of <see cref="Unfinished"/>.</summary>
    public static IQueryable<SyncRun> Finished(this IQueryable<SyncRun> runs) =>
        runs.Where(r => r.Status != SyncStatus.Queued && r.Status != SyncStatus.Running);

    public static IQueryable<SyncRun> UnfinishedOf(this IQueryable<SyncRun> runs, long connectionId) =>
        runs.Unfinished().Where(r => r.ConnectionId == connectionId);
}
