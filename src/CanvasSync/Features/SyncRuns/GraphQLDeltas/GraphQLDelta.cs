using CanvasSync.Canvas;
using CanvasSync.Data;
using CanvasSync.Features.Courses;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.Planner;
using CanvasSync.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Features.SyncRuns.GraphQLDeltas;

/// <summary>
/// A delta through Canvas's GraphQL (docs/architecture.md, "Deltas through GraphQL"). One query asks, for every current
/// course: its updatedAt (moved by every assignment save), the submissions updated since the last sync, the roster
/// with its change times and the grades the caller may see, the groups' member counts; and the caller's own groups.
/// Compared with what the mirror holds (<see cref="ChangedCourses"/>), that says which courses changed and how; only
/// those are read, over REST, and only the parts the change touched, so a quiet delta costs this query (and the
/// planner, now and then: Sync:PlannerEveryMinutes). A current course the query no longer lists is asked by id. The
/// rows stay REST's JSON, so a delta writes what a full sync writes: a student's own grades, which move without their
/// enrollment, are the one thing written from the answer, whose values are the bytes REST serves
/// (<see cref="OwnGrades"/>). Anything the query cannot settle (a course new to the mirror, an observer's course)
/// makes the run an ordinary REST delta, as does a Canvas that refuses GraphQL: that is remembered on the connection's
/// row for a while (Sync:GraphQLRetryHours), so every node knows it, and logged once.
/// </summary>
internal sealed partial class GraphQLDelta(IDbContextFactory<CanvasSyncDbContext> contexts, TimeProvider time,
    TimeSpan retryAfterRefusal, TimeSpan plannerEvery, ILogger logger)
{
    /// <summary>
    /// What a delta reads: the course list (for the courses' own rows), what changed in which course, and the planner:
    /// the whole of it, or the courses' whose planner items changed.
    /// </summary>
    public sealed record Plan(bool ReadCourseList, IReadOnlyDictionary<long, CourseChange> Courses, bool ReadPlanner = true,
        IReadOnlyList<long>? PlannerCourses = null);

    /// <summary>Current courses allCourses may stop listing in one delta and still be asked by id; more read as a REST delta.</summary>
    public const int MaxCoursesLeft = 5;

    /// <summary>What to read, or null to read as a REST delta.</summary>
    public async Task<Plan?> PlanAsync(CanvasSession session, RunContext run, long canvasUserId, CancellationToken ct)
    {
        if (run.Type != SyncType.Delta || run.SlowLane || run.ChangesSince is not { } since || !run.Scope.IsAll) return null;
        var now = time.GetUtcNow().UtcDateTime;
        if (run.GraphQLRefusedUntil > now) return null;
        var mirror = await MirrorState.ReadAsync(contexts, run.ConnectionId, canvasUserId, ct);
        if (mirror is null) return null;

        ChangeAnswer? answer;
        try
        {
            answer = await ChangeQuery.AskAsync(session, since, canvasUserId, [.. mirror.OtherCourses.Keys.Order()], ct);
            // Current courses allCourses no longer lists are asked by id: a few (a term's end concludes many at once,
            // which a REST delta reads as cheaply).
            var left = answer is null ? [] : mirror.CurrentCourses.Keys.Where(id => answer.Courses.All(c => c.Id != id)).Order().ToList();
            if (answer is not null && left.Count is > 0 and <= MaxCoursesLeft)
            {
                answer = await ChangeQuery.AskByIdAsync(session, since, left, ct) is { } byId
                    ? answer with { Left = byId.Shown, Gone = byId.Gone } : null;
            }
        }
        catch (CanvasGraphQLRefusedException e)
        {
            var until = now + retryAfterRefusal;
            await using (var db = contexts.CreateDbContext())
                await db.Connections.Where(c => c.Id == run.ConnectionId)
                    .ExecuteUpdateAsync(c => c.SetProperty(x => x.GraphQLRefusedUntil, until), ct);
            LogRefused(logger, run.ConnectionId, e.Message, until);
            return null;
        }
        catch (CanvasException e) when (e is not CanvasTokenException && !ct.IsCancellationRequested)
        {
            LogFailed(logger, run.ConnectionId, e.Message);
            return null;
        }

        if (answer is null || ChangedCourses.Decide(answer, mirror, since) is not { } plan) return null;
        // The planner is a student's (a full sync reads it only then). Notes and "marked done" show in no GraphQL field,
        // so the whole planner is read now and then. In between, the planner of the current courses whose assignments
        // (or the student's own rows, embedded in them) changed is read, in one listing: an item is an assignment as the
        // student sees it, with their submission's state. Not a concluded course's: the whole planner leaves those out,
        // but Canvas serves them when asked by name.
        // A course that left allCourses leaves the whole planner too (or, gone, is unreadable): the whole planner is read.
        var studies = mirror.CurrentCourses.Values.Concat(mirror.OtherCourses.Values).Any(teaches => !teaches);
        var whole = studies && (mirror.PlannerReadAt is not { } read || read < now - plannerEvery
            || answer.Left.Count > 0 || answer.Gone.Count > 0);
        var courses = whole ? [] : plan.Courses
            .Where(c => !c.Value.Teaches && mirror.CurrentCourses.ContainsKey(c.Key)
                && c.Value.Parts.HasFlag(CourseParts.Assignments))
            .Select(c => c.Key).Order().ToList();
        return plan with { ReadPlanner = whole, PlannerCourses = courses };
    }

    /// <summary>
    /// The plan's reads, opened as the run's first commit in place of the course list's usual children, with a
    /// student's regraded enrollments written in the same commit (the roster is read instead where one cannot be).
    /// </summary>
    public static async Task ApplyAsync(PageWrite write, Plan plan)
    {
        if (plan.ReadCourseList) write.Open(0, CoursesCollection.ListingOnlyCheckpoint, CoursesCollection.FirstPage);
        if (plan.ReadPlanner) PlannerItemsCollection.Open(write);
        PlannerItemsCollection.OpenForCourses(write, plan.PlannerCourses ?? []);
        foreach (var (courseId, change) in plan.Courses)
        {
            if (!change.Teaches)
            {
                var written = change.Regraded is not { Count: > 0 } regraded || await OwnGrades.WriteAsync(write, regraded);
                CoursesCollection.OpenStudentCourse(write, courseId, written ? change.Parts : change.Parts | CourseParts.Enrollments);
                continue;
            }

            // The listing, when it is read, opens the since filters itself.
            CoursesCollection.OpenTeacherCourse(write, courseId, change.Parts);
            if (change.GradedOrSubmitted && !change.Parts.HasFlag(CourseParts.Assignments))
                SubmissionsCollection.OpenGradedOrSubmittedSince(write, courseId);
            SubmissionsCollection.OpenForAssignments(write, change.RederivedAssignments, courseId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Canvas refused GraphQL to connection {ConnectionId} ({Reason}); its deltas read REST until {Until:u}")]
    private static partial void LogRefused(ILogger logger, long connectionId, string reason, DateTime until);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The GraphQL delta of connection {ConnectionId} failed ({Reason}); this delta reads REST")]
    private static partial void LogFailed(ILogger logger, long connectionId, string reason);
}
