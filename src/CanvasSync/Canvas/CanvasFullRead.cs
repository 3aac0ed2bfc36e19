using CanvasSync.Canvas.Wire;

namespace CanvasSync.Canvas;

/// <summary>Receives what a full read fetches, page by page, as it arrives (from many workers at once).</summary>
public interface ICanvasPageSink
{
    ValueTask OnPageAsync<T>(CanvasPage<T> page, long? courseId, CancellationToken cancellationToken);

    /// <summary>A collection that could not be read (no permission, gone, or failing after retries); the rest goes on.</summary>
    ValueTask OnCollectionFailedAsync(string collection, long? courseId, CanvasException error, CancellationToken cancellationToken);
}

/// <summary>
/// Reads everything a token can read, as parallel as Canvas allows: courses first, then every course's collections at
/// once, memberships per group, and a teacher's bookmark-paged submissions split into batches of assignment ids so no
/// course is one long sequential chain. How many requests are really in flight is the throttle governor's decision;
/// the workers only keep it supplied. A dead token stops everything at once.
/// </summary>
public sealed class CanvasFullRead(CanvasSession session, ICanvasPageSink sink)
{
    public int Workers { get; init; } = 64;
    /// <summary>Planner items from this day on (students).</summary>
    public DateTime PlannerFrom { get; init; } = DateTime.UtcNow.Date.AddDays(-365);

    public async Task<CanvasUser> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var self = await session.GetSelfAsync(stop.Token);
        var queue = new WorkQueue();
        var anyStudentCourse = false;
        CanvasTokenException? dead = null;

        // A job that fails: a dead token stops the read; anything else is that collection's failure only.
        void Add(string collection, long? courseId, Func<CancellationToken, Task> job) => queue.Add(async ct =>
        {
            try
            {
                await job(ct);
            }
            catch (CanvasTokenException e)
            {
                dead ??= e;
                await stop.CancelAsync();
            }
            catch (CanvasException e) when (!ct.IsCancellationRequested)
            {
                await sink.OnCollectionFailedAsync(collection, courseId, e, ct);
            }
        });

        async Task Pages<T>(IAsyncEnumerable<CanvasPage<T>> pages, long? courseId, CancellationToken ct, Action<CanvasItem<T>>? each = null)
        {
            await foreach (var page in pages.WithCancellation(ct))
            {
                await sink.OnPageAsync(page, courseId, ct);
                if (each is not null) foreach (var item in page.Items) each(item);
            }
        }

        Add("courses", null, async ct =>
        {
            await foreach (var page in session.CoursesAsync(ct))
            {
                await sink.OnPageAsync(page, null, ct);
                foreach (var course in page.Items.Select(i => i.Value).Where(c => c.AccessRestrictedByDate != true))
                {
                    anyStudentCourse |= !course.CallerTeaches;
                    AddCourse(course);
                }
            }

            if (anyStudentCourse) Add("planner_items", null, c => Pages(session.PlannerItemsAsync(PlannerFrom, c), null, c));
        });

        void AddCourse(CanvasCourse course)
        {
            var id = course.Id;
            var teacher = course.CallerTeaches;
            Add("assignment_groups", id, ct => Pages(session.AssignmentGroupsAsync(id, ct), id, ct));
            Add("enrollments", id, ct => Pages(session.EnrollmentsAsync(id, ct), id, ct));
            if (teacher)
            {
                var published = new List<long>();
                Add("assignments", id, async ct =>
                {
                    await Pages(session.AssignmentsAsync(id, includeOwnSubmission: false, ct), id, ct, a => { if (a.Value.Published == true) published.Add(a.Value.Id); });
                    AddSubmissionBatches(id, published);
                });
                Add("group_categories", id, ct => Pages(session.GroupCategoriesAsync(id, ct), id, ct));
            }
            else
            {
                Add("assignments", id, ct => Pages(session.AssignmentsAsync(id, includeOwnSubmission: true, ct), id, ct));
                Add("submissions", id, ct => Pages(session.SubmissionsAsync(id, new SubmissionQuery(AllStudents: false), ct), id, ct));
            }

            Add("groups", id, ct => Pages(session.GroupsAsync(id, ct), id, ct,
                g => Add("group_memberships", id, c => Pages(session.MembershipsAsync(g.Value.Id, c), id, c))));
        }

        void AddSubmissionBatches(long courseId, List<long> published)
        {
            var batches = CanvasPaths.SubmissionBatches(published);
            if (batches.Count == 0)
            {
                Add("submissions", courseId, ct => Pages(session.SubmissionsAsync(courseId, new SubmissionQuery(AllStudents: true), ct), courseId, ct));
                return;
            }

            foreach (var batch in batches)
            {
                Add("submissions", courseId, async ct =>
                {
                    try
                    {
                        await Pages(session.SubmissionsAsync(courseId, new SubmissionQuery(AllStudents: true, batch), ct), courseId, ct);
                    }
                    catch (CanvasForbiddenException)
                    {
                        // An assignment was unpublished or deleted since it was listed: Canvas refuses the whole
                        // batch, so read this course's submissions unsplit instead (the sink de-duplicates).
                        await Pages(session.SubmissionsAsync(courseId, new SubmissionQuery(AllStudents: true), ct), courseId, ct);
                    }
                });
            }
        }

        try
        {
            await queue.RunAsync(Workers, stop.Token);
        }
        catch (OperationCanceledException) when (dead is not null)
        {
            // Stopped because the token died: report that, not the cancellation.
        }

        if (dead is not null) throw dead;
        return self.Value;
    }
}
