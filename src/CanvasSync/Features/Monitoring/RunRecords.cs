using CanvasSync.Data;
using CanvasSync.Features.SyncRuns;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Monitoring;

/// <summary>One entity's figures in a run. Processed is every row the run handled: created + updated + deleted + unchanged.</summary>
internal sealed record ItemCounts(long Processed, long Created, long Updated, long Deleted);

/// <summary>What talking to Canvas cost a run: requests, pages, the items on them, body bytes, rate-limit refusals, retries.</summary>
internal sealed record CanvasCallsView(long Requests, long Pages, long Items, long Bytes, long Throttled, long Retries);

/// <summary>
/// The metrics record of one ended run. <c>duration_seconds</c> is the time workers spent on it (summed over attempts
/// when it was resumed); <c>phase_seconds</c> are the phases' spans, which overlap (see PhaseTimes). Duration,
/// <c>canvas.items</c> (items read) and <c>rows_changed</c> are the figures <see cref="RunFigures"/> defines.
/// </summary>
internal sealed record RunRecordView(long RunId, long UserId, long ConnectionId, string SyncType, bool DryRun, string Status,
    DateTime QueuedAt,
    DateTime? StartedAt, DateTime? FinishedAt, double DurationSeconds, IReadOnlyDictionary<string, double> PhaseSeconds,
    IReadOnlyDictionary<string, ItemCounts> Items, CanvasCallsView Canvas, SyncErrorView? Error, IReadOnlyList<DriftView> Drift)
{
    public long RowsChanged { get; init; }
}

/// <summary>
/// The few facts of an ended run that the summary, the per-day figures and health need: columns of the run's own row
/// only (a narrow read). Items are those Canvas served the run.
/// </summary>
internal sealed record RunFacts(SyncStatus Status, bool DryRun, bool Started, DateTime FinishedAt, double Seconds, long Items)
{
    /// <summary>It finished its work: completed, or completed with some collections failed.</summary>
    public bool Succeeded => Status is SyncStatus.Completed or SyncStatus.CompletedWithErrors;

    /// <summary>It did not: failed as a whole, or its token was dead. Cancelled runs are neither.</summary>
    public bool FailedRun => Status is SyncStatus.Failed or SyncStatus.NeedsReauth;
}

/// <summary>
/// Ended runs as metrics: the sync_runs rows are the record (one per run, written by the engine as it ends), read here
/// for everyone (admins) or for one user.
/// </summary>
internal static class RunRecords
{
    /// <summary>Runs that ended at or after <paramref name="since"/>, of <paramref name="userId"/>'s connections, or everyone's when
    /// null.</summary>
    public static IQueryable<SyncRun> Ended(CanvasSyncDbContext db, long? userId, DateTime? since = null) =>
        OfUser(db, db.SyncRuns.AsNoTracking(), userId).Where(r => r.FinishedAt != null && (since == null || r.FinishedAt >= since));

    /// <summary>
    /// The user's runs as "connection_id IN (their connections)": the database then reads them by connection (a few
    /// hundred rows) rather than walking every run in the window and asking whose each is.
    /// </summary>
    public static IQueryable<SyncRun> OfUser(CanvasSyncDbContext db, IQueryable<SyncRun> runs, long? userId) => userId is null
        ? runs
        : runs.Where(r => db.Connections.Where(c => c.UserId == userId).Select(c => c.Id).Contains(r.ConnectionId));

    /// <summary>Runs that failed in whole (failed, needs_reauth) or in part (completed_with_errors).</summary>
    public static IQueryable<SyncRun> Failures(IQueryable<SyncRun> runs) =>
        runs.Where(r => r.Status == SyncStatus.Failed || r.Status == SyncStatus.NeedsReauth || r.Status == SyncStatus.CompletedWithErrors);

    public static Task<List<RunFacts>> FactsAsync(CanvasSyncDbContext db, long? userId, DateTime since, CancellationToken ct) =>
        Ended(db, userId, since)
            .Select(r => new RunFacts(r.Status, r.DryRun, r.StartedAt != null, r.FinishedAt!.Value, r.ActiveSeconds, r.Items))
            .ToListAsync(ct);

    /// <summary>Whole records, newest first, at most <paramref name="limit"/>.</summary>
    public static async Task<List<RunRecordView>> ListAsync(CanvasSyncDbContext db, IQueryable<SyncRun> runs, int limit,
        CancellationToken ct)
    {
        var rows = await runs.OrderByDescending(r => r.FinishedAt).ThenByDescending(r => r.Id).Take(limit)
            .Select(r => new
            {
                Run = r,
                UserId = db.Connections.Where(c => c.Id == r.ConnectionId).Select(c => c.UserId).First(),
                Counts = r.Counts.ToList(),
                Drift = r.Drift.ToList(),
            })
            .ToListAsync(ct);
        return rows.Select(x => AsRecord(x.Run, x.UserId, x.Counts, x.Drift)).ToList();
    }

    public static RunRecordView AsRecord(SyncRun r, long userId, IEnumerable<SyncRunCount> counts, IEnumerable<SyncRunDrift> drift) =>
        new(r.Id, userId, r.ConnectionId,
        SnakeCase.From(r.Type.ToString()), r.DryRun, SnakeCase.From(r.Status.ToString()), r.QueuedAt, r.StartedAt, r.FinishedAt,
            RunFigures.DurationSeconds(r),
        PhaseTimes.Parse(r.PhaseSecondsJson),
        counts.OrderBy(c => c.EntityType, StringComparer.Ordinal)
            .ToDictionary(c => c.EntityType, c =>
                new ItemCounts(c.Created + c.Updated + c.Deleted + c.Unchanged, c.Created, c.Updated, c.Deleted)),
        new CanvasCallsView(r.Requests, r.Pages, r.Items, r.Bytes, r.Throttled, r.Retries),
        r.ErrorCode is null && r.ErrorMessage is null ? null : new SyncErrorView(r.ErrorCode, r.ErrorMessage),
        drift.OrderBy(d => d.EntityType, StringComparer.Ordinal).ThenBy(d => d.Field, StringComparer.Ordinal)
            .Select(d => new DriftView(d.EntityType, d.Field, d.RowCount, d.ExampleCanvasId)).ToList())
        {
            RowsChanged = RunFigures.RowsChanged(counts),
        };
}
