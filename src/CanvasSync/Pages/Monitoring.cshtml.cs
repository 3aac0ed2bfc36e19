using CanvasSync.Cluster;
using CanvasSync.Data;
using CanvasSync.Features.Monitoring;
using CanvasSync.Pages.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CanvasSync.Pages;

/// <summary>
/// Admins: every user's syncs at a glance. Summary cards, syncs per day and p50/p95 duration drawn as inline SVG,
/// health, the reconciles' drift, and recent and failed runs. Read as the metrics API reads them for an admin: on a context of its own,
/// without a row-level security user.
/// </summary>
[Authorize(Policy = "admin")]
internal sealed class MonitoringModel(IDbContextFactory<CanvasSyncDbContext> contexts, IOptions<MonitoringOptions> options,
    NodeIdentity node, TimeProvider time) : PageModel
{
    public static readonly int[] DayChoices = [7, 14, 30, 90];

    [BindProperty(SupportsGet = true)]
    public int Days { get; set; } = 14;

    public MetricsSummary Summary { get; private set; } = null!;
    public HealthReport Health { get; private set; } = null!;
    public IReadOnlyList<ChartDay> SyncsPerDay { get; private set; } = [];
    public IReadOnlyList<ChartDay> DurationPerDay { get; private set; } = [];
    public IReadOnlyList<DayPerformance> PerDay { get; private set; } = [];
    public IReadOnlyList<RunRecordView> Recent { get; private set; } = [];
    public IReadOnlyList<RunRecordView> Failed { get; private set; } = [];
    public IReadOnlyDictionary<long, string> UserNames { get; private set; } = new Dictionary<long, string>();
    public DriftReport Drift { get; private set; } = null!;

    public async Task OnGetAsync()
    {
        if (!DayChoices.Contains(Days)) Days = 14;
        var ct = HttpContext.RequestAborted;
        var now = time.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var first = today.AddDays(1 - Days);
        var since = first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

        await using var db = contexts.CreateDbContext();
        var facts = await RunRecords.FactsAsync(db, null, since, ct);
        Summary = MetricsFigures.Summary(Days, since, facts);
        PerDay = MetricsFigures.PerDay(first, today, facts);
        SyncsPerDay = PerDay.Select(d =>
            new ChartDay(d.Date.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture), d.Succeeded, d.Failed)).ToList();
        DurationPerDay = PerDay.Select(d =>
            new ChartDay(d.Date.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture), d.P50DurationSeconds,
            d.P95DurationSeconds)).ToList();
        Health = await SyncHealth.CheckAsync(db, null, options.Value, node.Lease, now, ct);
        Recent = await RunRecords.ListAsync(db, RunRecords.Ended(db, null), 20, ct);
        Failed = await RunRecords.ListAsync(db, RunRecords.Failures(RunRecords.Ended(db, null, since)), 20, ct);
        Drift = await DriftReports.ReadAsync(db, null, Days, since, ct);
        var userIds = Recent.Concat(Failed).Select(r => r.UserId).Distinct().ToList();
        UserNames = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
    }
}
