using CanvasSync.Data;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// POST /api/v1/canvas/sync. Every field is optional: a delta of everything by default. sync_type "reconcile" re-reads
/// everything and reports drift; slow_lane makes a delta also re-read what no delta filter shows.
/// </summary>
internal sealed record SyncStartRequest(string? SyncType, SyncScopeRequest? Scope, bool ForceRestart = false, bool DryRun = false,
    bool SlowLane = false);

internal sealed record SyncScopeRequest(long? TermId, IReadOnlyList<long>? CourseIds);

internal sealed record SyncStartResponse(bool Success, string Message, long SyncId, string Status, bool AlreadyInProgress);

internal sealed record SyncProgressView(string? Phase, double Percent, long ItemsDone, long? ItemsEstimated, long Requests, long Throttled,
    DateTime? HeartbeatAt);

internal sealed record SyncErrorView(string? Code, string? Message);

/// <summary>
/// A run; <c>Node</c> is the node that last worked on it, <c>Attempts</c> how often one started or resumed it.
/// <c>DurationSeconds</c> (once ended), <c>ItemsRead</c> and <c>RowsChanged</c> are the figures <see cref="RunFigures"/> defines.
/// </summary>
internal sealed record SyncRunView(long SyncId, string Status, string SyncType, bool DryRun, bool Resumed, SyncScope Scope,
    DateTime QueuedAt,
    DateTime? StartedAt, DateTime? FinishedAt, double? DurationSeconds, SyncProgressView Progress,
        IReadOnlyDictionary<string, EntityCounts> Counts,
    SyncErrorView? Error, string? Node, int Attempts)
{
    public long ItemsRead { get; init; }
    public long RowsChanged { get; init; }
    /// <summary>A delta's: "graphql" (one query said what changed) or "rest" (Canvas's listings and filters); null otherwise.</summary>
    public string? DeltaSource { get; init; }
}

internal static class SyncRunViews
{
    public static SyncRunView AsView(this SyncRun r) =>
        new(r.Id, SnakeCase.From(r.Status.ToString()), SnakeCase.From(r.Type.ToString()), r.DryRun, r.Resumed,
        SyncScope.FromJson(r.ScopeJson), r.QueuedAt, r.StartedAt, r.FinishedAt,
        r.FinishedAt is null ? null : RunFigures.DurationSeconds(r),
        new SyncProgressView(r.Phase, r.Percent, r.ItemsDone, r.ItemsEstimated, r.Requests, r.Throttled, r.HeartbeatAt),
        r.Counts.OrderBy(c => c.EntityType, StringComparer.Ordinal)
            .ToDictionary(c => c.EntityType, c => new EntityCounts(c.Created, c.Updated, c.Deleted, c.Unchanged)),
        r.ErrorCode is null && r.ErrorMessage is null ? null : new SyncErrorView(r.ErrorCode, r.ErrorMessage), r.Node, r.Attempt)
        {
            ItemsRead = RunFigures.ItemsRead(r),
            RowsChanged = RunFigures.RowsChanged(r.Counts),
            DeltaSource = r.DeltaSource,
        };
}
