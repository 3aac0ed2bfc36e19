namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// Hears of every run that ended (completed, failed, cancelled, needs_reauth), with its final record and counts: the
/// Prometheus figures and the alerts. A run stopped by shutdown has not ended (it resumes) and is not reported.
/// </summary>
internal interface ISyncRunObserver
{
    Task RunEndedAsync(SyncRun run, CancellationToken ct);
}
