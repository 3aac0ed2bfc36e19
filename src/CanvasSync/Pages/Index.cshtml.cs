using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Analysis;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Courses;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using CanvasSync.Hosting;
using CanvasSync.Pages.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace CanvasSync.Pages;

/// <summary>
/// Home: the sync status widget with Sync now, live progress of a running sync (server-sent events, polling as the
/// fallback), cancel and retry; then what a student needs next: work overdue or missing, the next 14 days' assignments
/// and planner to-dos (as `canvas-sync analyze` lists them), and grades per course.
/// </summary>
internal sealed class IndexModel(CanvasSyncDbContext db, SyncScheduler scheduler, SyncEngine engine, TimeProvider time,
    IOptions<SyncOptions> options) : PageModel
{
    public static readonly TimeSpan UpcomingWindow = TimeSpan.FromDays(14);

    public ConnectionStatusResponse Status { get; private set; } = null!;
    public SyncRun? Active { get; private set; }
    public IReadOnlyList<AssignmentView> Upcoming { get; private set; } = [];

    /// <summary>Open work past due in the last 90 days, Canvas's missing flag with it.</summary>
    public IReadOnlyList<DueItem> Overdue { get; private set; } = [];

    /// <summary>Open planner to-dos (notes, quizzes, discussions, ...) due in the next 14 days: what the assignments table leaves
    /// out.</summary>
    public IReadOnlyList<DueItem> ToDos { get; private set; } = [];
    public IReadOnlyList<CourseView> Courses { get; private set; } = [];
    public IReadOnlyDictionary<long, string> CourseNames { get; private set; } = new Dictionary<long, string>();

    [TempData]
    public string? Notice { get; set; }

    /// <summary>What the widget says: the connection's own trouble first, then the sync state.</summary>
    public string State => Status.Status == "needs_reauth" ? "needs_reauth" : Status.SyncState;

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        var now = time.GetUtcNow().UtcDateTime;
        var me = await CallerConnection.ForReadsAsync(db, User, ct);
        // The active run is read before the status: a run that ends between the two reads then shows its progress
        // section, whose script hears the end and reloads, rather than a "syncing" badge that nothing ever updates.
        Active = me is null ? null : await SyncControl.ActiveAsync(db, me.Id, ct);
        Status = await ConnectionState.ReadAsync(db, User.UserId(), TimeSpan.FromMinutes(options.Value.StaleAfterMinutes), now, ct);
        if (me is null) return;
        if (Active is null && Status.SyncState == "syncing") Active = await SyncControl.ActiveAsync(db, me.Id, ct); // queued in between
        Upcoming = await AssignmentPageQuery.ReadAsync(db, me,
            new AssignmentFilter(null, now, now + UpcomingWindow, null, IncludeCompleted: true),
            null, dated: true, take: 200, ct);
        var next = await StudentAnalysis.DueAsync(db, me, now, (int)UpcomingWindow.TotalDays, ct);
        Overdue = next.Overdue;
        ToDos = next.Upcoming.Where(i => i.Source != "assignment").ToList();
        Courses = await CourseViews.ListAsync(db, me, termId: null, ct);
        CourseNames = Courses.ToDictionary(c => c.Id, Show.CourseName);
    }

    public async Task<IActionResult> OnPostSyncAsync()
    {
        var ct = HttpContext.RequestAborted;
        var c = await CallerConnection.FindAsync(db, User, ct);
        if (c is null) return RedirectToPage("/Setup");
        if (!SyncControl.CanSync(c))
        {
            Notice = "Canvas no longer accepts the stored token: reconnect on the setup page first.";
            return RedirectToPage();
        }

        // The first sync is a full one; after that a delta is enough (the engine fetches only what changed).
        var type = c.LastFullSyncAt is null ? SyncType.Full : SyncType.Delta;
        var (runId, existing) = await scheduler.EnqueueAsync(c.Id, new SyncRequest(type, new SyncScope()), ct);
        Notice = existing ? $"Sync {runId} is already in progress." : $"Sync {runId} started.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostCancelAsync(long runId)
    {
        var ct = HttpContext.RequestAborted;
        var run = await SyncControl.OwnRunAsync(db, User.UserId(), runId, ct);
        Notice = run is null ? $"There is no sync {runId}." : await SyncControl.CancelAsync(db, engine, time, run, ct) switch
        {
            CancelOutcome.Cancelled => $"Sync {runId} is cancelled; it stops at its next checkpoint.",
            _ => $"Sync {runId} had already finished.",
        };
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRetryAsync(long runId)
    {
        var ct = HttpContext.RequestAborted;
        var run = await SyncControl.OwnRunAsync(db, User.UserId(), runId, ct);
        if (run is null || run.Status.IsUnfinished())
        {
            Notice = $"Sync {runId} cannot be retried now.";
            return RedirectToPage();
        }

        var (newId, existing) = await SyncControl.RetryAsync(scheduler, run, ct);
        Notice = existing ? $"Sync {newId} is already in progress." : $"Sync {runId} is running again as sync {newId}.";
        return RedirectToPage();
    }
}
