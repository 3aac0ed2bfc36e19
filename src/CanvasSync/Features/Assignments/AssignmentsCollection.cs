using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.Submissions;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Features.Assignments;

internal sealed record CanvasDiscussionTopicRef(long Id);

/// <summary>
/// An assignment as GET /courses/:id/assignments serves it (docs/canvas.md §5.3). A locked description is absent, not
/// null; a student's own submission comes embedded with include[]=submission.
/// </summary>
internal sealed record CanvasAssignment(long Id, long CourseId, long? AssignmentGroupId, string? Name, string? Description,
    DateTime? DueAt, DateTime? UnlockAt, DateTime? LockAt, double? PointsPossible, string? GradingType,
    IReadOnlyList<string>? SubmissionTypes, bool? Published, bool? HasOverrides, long? QuizId, CanvasDiscussionTopicRef? DiscussionTopic,
    DateTime? UpdatedAt, CanvasSubmission? Submission, bool? Muted = null);

/// <summary>
/// A course's assignments, numbered. Canvas keeps no tombstone for a deleted assignment, so the last page of a
/// complete listing deletes what it did not show, with its submissions; a teacher's listing then opens the course's
/// submissions (<see cref="SubmissionsCollection.OpenForTeacherAsync"/>).
/// </summary>
internal sealed class AssignmentsCollection : SyncedCollection<CanvasAssignment>
{
    public static readonly AssignmentsCollection Instance = new();

    public static readonly MirrorTable Table = new("assignments", "assignments",
        ["course_canvas_id", "assignment_group_canvas_id", "name", "due_at", "unlock_at", "lock_at", "points_possible", "grading_type",
         "submission_types", "published", "has_overrides", "muted", "quiz_id", "discussion_topic_id", "canvas_updated_at",
             "description_html", "description_text"]);

    /// <summary>Students also get their own submission embedded (include[]=submission).</summary>
    public static string FirstPage(long courseId, bool includeOwnSubmission) =>
        $"/api/v1/courses/{courseId}/assignments?per_page=100" + (includeOwnSubmission ? "&include[]=submission" : "");

    public override string Kind => "assignments";

    /// <summary>An observer's listing: what their observees see, without a submission of the caller's own.</summary>
    public static string ObservedCheckpoint => Instance.Kind + ":observed";

    /// <summary>A student's listing, each with their own submission embedded: where their submission rows come from.</summary>
    public static string OwnCheckpoint => Instance.Kind + ":own";

    public override JsonTypeInfo<CanvasAssignment> WireType => AssignmentsWire.Default.CanvasAssignment;

    public override async Task WriteAsync(PageWrite write, CanvasPage<CanvasAssignment> page)
    {
        var teacher = write.Work.Collection == Kind;
        // A teacher's delta: what the mirror held before this page, to see whose rows Canvas changed without a
        // grading or submission event.
        var before = teacher && write.Run.Type == SyncType.Delta
            ? await RowBasis.ReadAsync(write, page.Items.Select(i => i.Value.Id).ToList()) : null;
        await write.UpsertAsync(Table, page.Items.Select(i => Row(i, write.Run.CanvasBaseUrl)));
        // A student's own rows come embedded: this listing is the whole of them in the course.
        var own = write.Work.Collection == OwnCheckpoint;
        if (own) await write.UpsertAsync(SubmissionsCollection.Table,
            page.Items.Select(i => SubmissionsCollection.Embedded(i.Value.Submission, i.RawJson, write.CourseId)));
        if (before is not null)
        {
            SubmissionsCollection.OpenForAssignments(write, page.Items.Select(i => i.Value)
                .Where(a => a.Published != false && (!before.TryGetValue(a.Id, out var held) || held != RowBasis.Of(a))).Select(a => a.Id));
        }

        if (!write.Done) return;

        await write.DeleteUnseenInCourseAsync(Table);
        if (own) await write.DeleteUnseenInCourseAsync(SubmissionsCollection.Table);
        // Canvas stops listing the submissions of a deleted or unpublished assignment, and keeps no tombstone.
        await write.TombstoneAsync(SubmissionsCollection.Table, """
            course_canvas_id = @s AND assignment_canvas_id IN
              (SELECT canvas_id FROM assignments WHERE connection_id = @c AND course_canvas_id = @s AND (deleted_at IS NOT NULL OR published = @f))
            """, write.CourseId, ("f", false));
        if (teacher) await SubmissionsCollection.OpenForTeacherAsync(write);
    }

    /// <summary>
    /// What an assignment's submission rows are derived from (docs/canvas.md §6): publishing creates them, a due date
    /// is cached on them (the assignment's, or an override's: the first override shows as has_overrides), points and
    /// grading type re-derive their grades, posting or hiding grades stamps posted_at on every row and flips muted
    /// (AbstractAssignment#post_submissions). A change of any of these, or an assignment new (or back) in the mirror,
    /// means its rows must be read again.
    /// </summary>
    private sealed record RowBasis(bool Published, long? DueAtTicks, double? PointsPossible, string? GradingType, bool HasOverrides,
        bool Muted)
    {
        public static RowBasis Of(CanvasAssignment a) =>
            new(a.Published ?? true, a.DueAt?.ToUniversalTime().Ticks, a.PointsPossible, a.GradingType, a.HasOverrides == true,
                a.Muted == true);

        /// <summary>The live rows among <paramref name="ids"/>, by id.</summary>
        public static async Task<Dictionary<long, RowBasis>> ReadAsync(PageWrite write, IReadOnlyList<long> ids)
        {
            if (ids.Count == 0) return [];
            var (list, parameters) = PageWrite.InList(ids);
            var rows = await write.RowsAsync(
                $"SELECT canvas_id, published, due_at, points_possible, grading_type, has_overrides, muted FROM assignments WHERE connection_id = @c AND deleted_at IS NULL AND canvas_id IN ({list})",
                r => (Id: r.GetInt64(0),
                    Basis: new RowBasis(r.GetBoolean(1), Data.Sql.Utc(r, 2)?.Ticks, Data.Sql.Double(r, 3), Data.Sql.String(r, 4),
                    r.GetBoolean(5), r.GetBoolean(6))),
                parameters);
            return rows.ToDictionary(r => r.Id, r => r.Basis);
        }
    }

    /// <summary>
    /// The description is rendered here, when the writer writes a new or changed assignment (never for an unchanged
    /// one, and never on a page view).
    /// </summary>
    private static MirrorRow Row(CanvasItem<CanvasAssignment> i, string canvasBaseUrl)
    {
        var a = i.Value;
        return new MirrorRow(a.Id, i.RawJson, () =>
        {
            var description = AssignmentDescription.Render(a.Description, canvasBaseUrl);
            return
            [
                a.CourseId, a.AssignmentGroupId, a.Name ?? "", a.DueAt, a.UnlockAt, a.LockAt, a.PointsPossible, a.GradingType,
                string.Join(',', a.SubmissionTypes ?? []), a.Published ?? true, a.HasOverrides == true, a.Muted == true, a.QuizId,
                    a.DiscussionTopic?.Id, a.UpdatedAt,
                description.Html, description.Text,
            ];
        });
    }
}

/// <summary>Source-generated, snake_case, and lenient about ids sent as strings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CanvasAssignment))]
internal sealed partial class AssignmentsWire : JsonSerializerContext;
