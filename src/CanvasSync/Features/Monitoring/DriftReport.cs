using CanvasSync.Data;
using CanvasSync.Features.SyncRuns;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Monitoring;

/// <summary>One field's drift in a run: rows a reconcile had to write that a delta should have (docs/monitoring.md).</summary>
internal sealed record DriftView(string EntityType, string Field, long Rows, long? ExampleCanvasId);

/// <summary>One field's drift over a period: rows, the reconciles that found it, and the latest of them with an example row.</summary>
internal sealed record DriftLine(string EntityType, string Field, long Rows, int Runs, long LastRunId, long? ExampleCanvasId);

/// <summary>
/// GET metrics/drift: what the reconciles of the period found. Zero rows is the target; anything else is something a
/// delta missed, a bug report the operator can see, with a row to start from.
/// </summary>
internal sealed record DriftReport(int Days, DateTime Since, int Reconciles, long Rows, IReadOnlyList<DriftLine> Fields);

internal static class DriftReports
{
    public static async Task<DriftReport> ReadAsync(CanvasSyncDbContext db, long? userId, int days, DateTime since, CancellationToken ct)
    {
        var reconciles = RunRecords.Ended(db, userId, since).Where(r => r.Type == SyncType.Reconcile && !r.DryRun);
        var drift = await db.SyncRunDrift.AsNoTracking().Where(d => reconciles.Select(r => r.Id).Contains(d.RunId)).ToListAsync(ct);
        var lines = drift.GroupBy(d => (d.EntityType, d.Field))
            .Select(g =>
            {
                var last = g.MaxBy(d => d.RunId)!;
                return new DriftLine(g.Key.EntityType, g.Key.Field, g.Sum(d => d.RowCount), g.Select(d => d.RunId).Distinct().Count(),
                    last.RunId,
                    last.ExampleCanvasId ?? g.Select(d => d.ExampleCanvasId).FirstOrDefault(x => x is not null));
            })
            .OrderByDescending(l => l.Rows).ThenBy(l => l.EntityType, StringComparer.Ordinal).ThenBy(l => l.Field, StringComparer.Ordinal)
                .ToList();
        return new DriftReport(days, since, await reconciles.CountAsync(ct), lines.Sum(l => l.Rows), lines);
    }
}
