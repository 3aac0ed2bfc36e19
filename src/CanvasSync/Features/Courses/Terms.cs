using CanvasSync.Canvas;
using CanvasSync.Data.Mirror;

namespace CanvasSync.Features.Courses;

/// <summary>A term as a course embeds it (include[]=term; the Default Term has null dates).</summary>
internal sealed record CanvasTerm(long Id, string? Name, DateTime? StartAt, DateTime? EndAt);

/// <summary>
/// Terms have no listing a student or teacher may read (GET /accounts/:id/terms is for admins, docs/canvas.md §5.9):
/// they come nested in the course list and are written by its pages, never deleted by a listing.
/// </summary>
internal static class Terms
{
    public static readonly MirrorTable Table = new("terms", "terms", ["name", "start_at", "end_at"]);

    /// <summary>The term nested in a course: its own JSON as served.</summary>
    public static MirrorRow? Row(CanvasItem<CanvasCourse> i) => i.Value.Term is { } t
        ? new MirrorRow(t.Id, MirrorRow.Nested(i.RawJson, "term"), [t.Name ?? "", t.StartAt, t.EndAt])
        : null;
}
