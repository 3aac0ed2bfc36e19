using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Courses;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Pages.Courses;

/// <summary>Every synced course: term, the caller's roles, and their grade where they are a student.</summary>
public sealed class IndexModel(CanvasSyncDbContext db) : PageModel
{
    public bool Connected { get; private set; }
    public IReadOnlyList<CourseView> Courses { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        if (await CallerConnection.ForReadsAsync(db, User, ct) is not { } me) return;
        Connected = true;
        var courses = await db.Courses.AsNoTracking().Where(c => c.ConnectionId == me.Id && c.DeletedAt == null)
            .OrderBy(c => c.Name == null).ThenBy(c => c.Name).ThenBy(c => c.CanvasId).ToListAsync(ct);
        Courses = await CourseViews.BuildAsync(db, me, courses, ct);
    }
}
