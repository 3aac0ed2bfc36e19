using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Courses;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CanvasSync.Pages.Courses;

/// <summary>Every synced course: term, the caller's roles, and their grade where they are a student.</summary>
internal sealed class IndexModel(CanvasSyncDbContext db) : PageModel
{
    public bool Connected { get; private set; }
    public IReadOnlyList<CourseView> Courses { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        if (await CallerConnection.ForReadsAsync(db, User, ct) is not { } me) return;
        Connected = true;
        Courses = await CourseViews.ListAsync(db, me, termId: null, ct);
    }
}
