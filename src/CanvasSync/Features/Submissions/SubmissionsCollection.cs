using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas;
using CanvasSync.Data.Mirror;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Features.Submissions;

/// <summary>A submission as GET /courses/:id/students/submissions serves it (docs/canvas.md §5.5); unposted grades are absent
/// keys.</summary>
internal sealed record CanvasSubmission(long Id, long AssignmentId, long UserId, string? WorkflowState, double? Score, string? Grade,
    DateTime? SubmittedAt, DateTime? GradedAt, DateTime? PostedAt, bool? Excused, bool? Late, bool? Missing);

/// <summary>Filters for students/submissions. Times are sent as full ISO-8601 (a date alone is a 400 in Canvas).</summary>
internal sealed record SubmissionQuery(bool AllStudents, IReadOnlyList<long>? AssignmentIds = null, DateTime? GradedSince = null,
    DateTime? SubmittedSince = null,
    IReadOnlyList<long>? StudentIds = null);

/// <summary>
/// A course's submissions, bookmark-paged. Checkpoints name how they were asked for: "observees" (an observer's),
/// "all" (every student's, unsplit), "1".."N" (a full sync's batches of assignment ids), and a delta's "graded" and
/// "submitted", "a&lt;id&gt;" (assignments new or changed in a way that changes their rows, named by the batch's first
/// id), "u&lt;id&gt;" (students new to the course) and the slow lane's "o&lt;id&gt;" (assignments with overridden dates).
/// Only a complete listing deletes: an observer's list, the unsplit one, or the last of a full sync's batches. A
/// student's own rows are not listed here: each comes embedded in its assignment (<see cref="Embedded"/>).
/// </summary>
internal sealed class SubmissionsCollection : SyncedCollection<CanvasSubmission>
{
    public static readonly SubmissionsCollection Instance = new();

    public static readonly MirrorTable Table = new("submissions", "submissions",
        ["course_canvas_id", "assignment_canvas_id", "user_canvas_id", "workflow_state", "score", "grade", "submitted_at", "graded_at",
         "posted_at", "excused", "late", "missing"], DeltaReadsPart: true);

    /// <summary>Assignments per submissions batch: ~10 keeps each batch many pages long, so rounding wastes little.</summary>
    public const int AssignmentsPerBatch = 10;
    public const int MaxBatchesPerCourse = 4;

    /// <summary>
    /// Ids in one query at most. Canvas stops adding page links once its Link header would pass 6 KB, next first
    /// (docs/canvas.md §3): 50 ids of 17 digits make a link of about 2 KB, so next always survives.
    /// </summary>
    public const int MaxIdsPerQuery = 50;

    public override string Kind => "submissions";

    /// <summary>An observer's: every observee's rows (student_ids[]=all means them), a complete listing.</summary>
    public static string ObserveesCheckpoint => Instance.Kind + ":observees";

    public override JsonTypeInfo<CanvasSubmission> WireType => SubmissionsWire.Default.CanvasSubmission;

    /// <summary>Teachers: every student's (student_ids[]=all covers every enrollment state). Students: their own.</summary>
    public static string FirstPage(long courseId, SubmissionQuery query)
    {
        var q = new List<string>();
        if (query.AllStudents) q.Add("student_ids[]=all");
        foreach (var id in query.StudentIds ?? []) q.Add($"student_ids[]={id}");
        foreach (var id in query.AssignmentIds ?? []) q.Add($"assignment_ids[]={id}");
        if (query.GradedSince is { } g) q.Add("graded_since=" + Iso8601(g));
        if (query.SubmittedSince is { } s) q.Add("submitted_since=" + Iso8601(s));
        q.Add("per_page=100");
        return $"/api/v1/courses/{courseId}/students/submissions?" + string.Join('&', q);
    }

    /// <summary>Whole seconds with a Z: Canvas's regex wants a full datetime.</summary>
    public static string Iso8601(DateTime utc) =>
        Uri.EscapeDataString(utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    public override async Task WriteAsync(PageWrite write, CanvasPage<CanvasSubmission> page)
    {
        await write.UpsertAsync(Table, page.Items.Select(i => Row(i, write.CourseId)));
        // Since-filtered delta listings are not complete, so they never delete.
        var detail = write.Work.Detail;
        // "own": a student's own listing, which a run checkpointed before their rows came embedded may still resume.
        var complete = detail is "own" or "all" or "observees" || (write.Run.ReadsEverything && int.TryParse(detail, out _));
        if (write.Done && complete && await write.OtherUnfinishedAsync(Kind + ":%") == 0)
            await write.DeleteUnseenInCourseAsync(Table);
    }

    /// <summary>
    /// An assignment of a batch was unpublished or deleted since it was listed, and Canvas refuses the whole batch
    /// (403): read the course's submissions unsplit instead.
    /// </summary>
    public override CheckpointWork? InsteadWhenRefused(CheckpointWork work) =>
        int.TryParse(work.Detail, out _) || work.Detail?[0] is 'a' or 'o'
            ? new CheckpointWork(work.CourseId, Kind + ":all", FirstPage(work.CourseId, new SubmissionQuery(AllStudents: true)))
            : null;

    /// <summary>
    /// After a teacher's complete assignment listing. Full sync: every student's submissions in batches of published
    /// assignment ids (bookmark paging cannot be split by page, but it can by assignment), so a large course is several
    /// chains, not one. Delta: what was graded or submitted since the last sync (the assignments whose rows changed
    /// otherwise were opened by their own pages: <see cref="OpenForAssignments"/>).
    /// </summary>
    public static async Task OpenForTeacherAsync(PageWrite write)
    {
        var courseId = write.CourseId;
        if (write.Run.Type == SyncType.Delta && write.Run.ChangesSince is not null)
        {
            OpenGradedOrSubmittedSince(write, courseId);
            // The slow lane: a changed override leaves the assignment's JSON as it was, so re-read every overridden one.
            if (write.Run.SlowLane)
                Open(write, "o", await PublishedAssignmentsAsync(write, " AND has_overrides = @t"), batch =>
                    new SubmissionQuery(AllStudents: true, AssignmentIds: batch), courseId);
            return;
        }

        var batches = Batches(await PublishedAssignmentsAsync(write));
        if (batches.Count == 0)
        {
            write.Open(courseId, "submissions:all", FirstPage(courseId, new SubmissionQuery(AllStudents: true)));
            return;
        }

        for (var n = 0; n < batches.Count; n++)
            write.Open(courseId, $"submissions:{n + 1}", FirstPage(courseId, new SubmissionQuery(true, batches[n])));
    }

    /// <summary>
    /// A delta: every student's rows of these published assignments, which are new or changed in a way that changes
    /// their rows (published, due date, points, grading type; docs/canvas.md §6), in short batches.
    /// </summary>
    public static void OpenForAssignments(PageWrite write, IEnumerable<long> assignmentIds, long? courseId = null) =>
        Open(write, "a", assignmentIds, batch => new SubmissionQuery(AllStudents: true, AssignmentIds: batch), courseId ?? write.CourseId);

    /// <summary>A delta: every student's rows of the course graded or submitted since the last sync.</summary>
    public static void OpenGradedOrSubmittedSince(PageWrite write, long courseId)
    {
        var since = write.Run.ChangesSince!.Value;
        write.Open(courseId, "submissions:graded", FirstPage(courseId, new SubmissionQuery(true, GradedSince: since)));
        write.Open(courseId, "submissions:submitted", FirstPage(courseId, new SubmissionQuery(true, SubmittedSince: since)));
    }

    /// <summary>A delta: the rows of students new to the course (Canvas made them unsubmitted for every published assignment).</summary>
    public static void OpenForStudents(PageWrite write, IEnumerable<long> userIds) =>
        Open(write, "u", userIds, batch => new SubmissionQuery(AllStudents: false, StudentIds: batch), write.CourseId);

    /// <summary>The rows of these ids, in batches of at most <see cref="MaxIdsPerQuery"/>, named by <paramref name="prefix"/> and their
    /// first id.</summary>
    private static void Open(PageWrite write, string prefix, IEnumerable<long> ids, Func<long[], SubmissionQuery> query, long courseId)
    {
        foreach (var batch in ids.Order().Chunk(MaxIdsPerQuery))
            write.Open(courseId, $"{Instance.Kind}:{prefix}{batch[0]}", FirstPage(courseId, query(batch)));
    }

    /// <summary>
    /// Batches of published assignment ids: up to <see cref="MaxBatchesPerCourse"/> even ones, more when that would
    /// put over <see cref="MaxIdsPerQuery"/> ids in one. One batch (or none) means: read the course unsplit.
    /// </summary>
    public static IReadOnlyList<long[]> Batches(IReadOnlyList<long> publishedAssignmentIds)
    {
        var batches = Math.Max(Math.Clamp((publishedAssignmentIds.Count + AssignmentsPerBatch - 1) / AssignmentsPerBatch, 1,
            MaxBatchesPerCourse),
            (publishedAssignmentIds.Count + MaxIdsPerQuery - 1) / MaxIdsPerQuery);
        if (batches == 1) return [];
        var size = (publishedAssignmentIds.Count + batches - 1) / batches;
        return publishedAssignmentIds.Chunk(size).ToList();
    }

    private static Task<List<long>> PublishedAssignmentsAsync(PageWrite write, string andWhere = "") => write.IdsAsync(
        $"SELECT canvas_id FROM assignments WHERE connection_id = @c AND course_canvas_id = @s AND deleted_at IS NULL AND published = @t{andWhere} ORDER BY canvas_id",
        ("s", write.CourseId), ("t", true));

    /// <summary>
    /// A student's own row, as their assignment listing embeds it (include[]=submission): Canvas renders it with the same
    /// submission_json, the same grade-hiding and the same visibility as students/submissions (docs/canvas.md §5.3), so
    /// the listing costs a student no request of its own. Null when the assignment embeds none.
    /// </summary>
    public static MirrorRow? Embedded(CanvasSubmission? submission, string assignmentJson, long courseId)
    {
        if (submission is null) return null;
        using var doc = JsonDocument.Parse(assignmentJson);
        return doc.RootElement.TryGetProperty("submission", out var raw) && raw.ValueKind == JsonValueKind.Object
            ? Row(submission, raw.GetRawText(), courseId) : null;
    }

    private static MirrorRow Row(CanvasItem<CanvasSubmission> i, long courseId) => Row(i.Value, i.RawJson, courseId);

    private static MirrorRow Row(CanvasSubmission s, string rawJson, long courseId)
    {
        return new MirrorRow(s.Id, rawJson,
        [
            courseId, s.AssignmentId, s.UserId, s.WorkflowState ?? "", s.Score, s.Grade, s.SubmittedAt, s.GradedAt, s.PostedAt,
            s.Excused == true, s.Late == true, s.Missing == true,
        ]);
    }
}

/// <summary>Source-generated, snake_case, and lenient about ids sent as strings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CanvasSubmission))]
internal sealed partial class SubmissionsWire : JsonSerializerContext;
