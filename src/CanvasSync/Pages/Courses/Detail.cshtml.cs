using CanvasSync.Data;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Courses;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.Groups;
using CanvasSync.Pages.Shared;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Pages.Courses;

/// <summary>How many of a course's students have handed an assignment in, and how many of those Canvas shows graded.</summary>
internal sealed record HandIns(int Submitted, int Graded);

/// <summary>
/// One course: its assignments with the caller's own submission status (a teacher sees submitted and graded counts),
/// descriptions made safe, the roster with grades (teachers), and groups with their members.
/// </summary>
internal sealed class DetailModel(CanvasSyncDbContext db) : PageModel
{
    public CourseView Course { get; private set; } = null!;
    public bool Teaches { get; private set; }
    public IReadOnlyList<(AssignmentView View, IHtmlContent? Description)> Assignments { get; private set; } = [];
    public IReadOnlyDictionary<long, HandIns> HandInsByAssignment { get; private set; } = new Dictionary<long, HandIns>();
    public int Students { get; private set; }
    public IReadOnlyList<EnrollmentView> Roster { get; private set; } = [];
    public IReadOnlyList<GroupView> Groups { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var ct = HttpContext.RequestAborted;
        if (await CallerConnection.ForReadsAsync(db, User, ct) is not { } me) return RedirectToPage("/Setup");
        var course = await db.Courses.AsNoTracking()
            .FirstOrDefaultAsync(c => c.ConnectionId == me.Id && c.CanvasId == id && c.DeletedAt == null, ct);
        if (course is null) return NotFound();
        Course = (await CourseViews.BuildAsync(db, me, [course], ct))[0];
        Teaches = Course.Roles.Any(r => r is "teacher" or "ta");

        var assignments = await db.Assignments.AsNoTracking()
            .Where(a => a.ConnectionId == me.Id && a.CourseCanvasId == id && a.DeletedAt == null)
            .OrderBy(a => a.DueAt == null).ThenBy(a => a.DueAt).ThenBy(a => a.CanvasId).ToListAsync(ct);
        var views = await AssignmentViews.BuildAsync(db, me, assignments, ct);
        // Rendered and made safe when the sync wrote the row: a view never parses Canvas HTML.
        Assignments = views.Zip(assignments, (v, a) => (v, a.DescriptionHtml is { } html ? new HtmlString(html) : (IHtmlContent?)null))
            .ToList();

        if (Teaches)
        {
            // Completion.IsDone's states, spelled out for SQL.
            HandInsByAssignment = await db.Submissions.AsNoTracking()
                .Where(s => s.ConnectionId == me.Id && s.CourseCanvasId == id && s.DeletedAt == null)
                .GroupBy(s => s.AssignmentCanvasId)
                .Select(g => new
                {
                    g.Key,
                    Submitted = g.Count(s => s.WorkflowState == "submitted" || s.WorkflowState == "graded"
                        || s.WorkflowState == "pending_review"),
                    Graded = g.Count(s => s.WorkflowState == "graded"),
                })
                .ToDictionaryAsync(x => x.Key, x => new HandIns(x.Submitted, x.Graded), ct);
            // Teachers first; OrderBy is stable, so each part stays by sortable name.
            Roster = (await EnrollmentViews.RosterAsync(db, me, id, ct)).OrderBy(v => v.Role != "teacher").ToList();
            Students = Roster.Where(v => v.Type == "StudentEnrollment").Select(v => v.UserId).Distinct().Count();
        }

        Groups = await GroupViews.OfCourseAsync(db, me, id, ct);
        return Page();
    }
}
