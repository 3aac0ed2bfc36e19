using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Pages;

/// <summary>
/// The caller's syncs, newest first, with counts, duration and errors; and a preview (dry run) of the next sync, which
/// reports what it would create, update and delete and writes nothing.
/// </summary>
internal sealed class HistoryModel(CanvasSyncDbContext db, SyncScheduler scheduler) : PageModel
{
    public const int PageSize = 25;

    public bool Connected { get; private set; }
    public bool CanSync { get; private set; }
    public IReadOnlyList<SyncRunView> Runs { get; private set; } = [];
    public SyncRunView? LatestPreview { get; private set; }
    public long? Older { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync(long? before)
    {
        var ct = HttpContext.RequestAborted;
        var c = await CallerConnection.FindAsync(db, User, ct);
        if (c is null) return;
        (Connected, CanSync) = (true, SyncControl.CanSync(c));
        var runs = await SyncControl.HistoryAsync(db, User.UserId(), before, PageSize + 1, ct);
        Runs = runs.Take(PageSize).Select(r => r.AsView()).ToList();
        Older = runs.Count > PageSize ? Runs[^1].SyncId : null;
        var preview = await db.SyncRuns.AsNoTracking().Include(r => r.Counts).Where(r => r.ConnectionId == c.Id && r.DryRun)
            .OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        LatestPreview = preview?.AsView();
    }

    public async Task<IActionResult> OnPostPreviewAsync(string? type)
    {
        var ct = HttpContext.RequestAborted;
        var c = await CallerConnection.FindAsync(db, User, ct);
        if (c is null || !SyncControl.CanSync(c))
        {
            Notice = "A preview needs a working Canvas connection: see the setup page.";
            return RedirectToPage();
        }

        var syncType = type == "full" || c.LastFullSyncAt is null ? SyncType.Full : SyncType.Delta;
        var (runId, existing) = await scheduler.EnqueueAsync(c.Id, new SyncRequest(syncType, new SyncScope(), DryRun: true), ct);
        Notice = existing ? $"Sync {runId} is already in progress; preview once it is done." : $"Preview {runId} started; its result appears here when it ends.";
        return RedirectToPage();
    }
}
