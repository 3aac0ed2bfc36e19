using CanvasSync.Data;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Courses;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.Groups;
using CanvasSync.Features.Planner;
using CanvasSync.Features.Submissions;
using CanvasSync.Features.Tasks;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Changes;

/// <summary>A place in the feed: after every change at an earlier version, and after rows of this version up to (entity type,
/// row).</summary>
internal readonly record struct FeedPosition(long Version, int Source, long RowId) : IComparable<FeedPosition>
{
    public static readonly FeedPosition Start = new(-1, 0, 0);

    public int CompareTo(FeedPosition other) =>
        Version != other.Version ? Version.CompareTo(other.Version) : Source != other.Source ? Source.CompareTo(other.Source)
            : RowId.CompareTo(other.RowId);

    public static bool operator >(FeedPosition a, FeedPosition b) => a.CompareTo(b) > 0;
    public static bool operator <(FeedPosition a, FeedPosition b) => a.CompareTo(b) < 0;
    public static bool operator >=(FeedPosition a, FeedPosition b) => a.CompareTo(b) >= 0;
    public static bool operator <=(FeedPosition a, FeedPosition b) => a.CompareTo(b) <= 0;
}

internal sealed record ChangeView(string EntityType, long Id, string Change, long Version, DateTime ChangedAt, object Data);

internal sealed record ChangePage(IReadOnlyList<ChangeView> Changes, string NextCursor, bool HasMore);

/// <summary>
/// The change feed: every mirrored row and planner task created, changed or deleted after a position, in (version,
/// entity type, row) order, each with the same view the data endpoints serve (the last one known, for a deletion).
/// Changes since the reader's position collapse into one entry per row: a row created and then changed is "created".
/// Rows are never hard-deleted by sync (tombstones), so a deletion is never missed.
/// </summary>
internal static class ChangeFeed
{
    /// <summary>The entity types, in feed order. Cursors hold an index into this list: append only, never reorder.</summary>
    internal static readonly FeedSource[] Sources =
    [
        new FeedSource<Term>("terms", r => r.CanvasId, (_, _, rows, _) => Views(rows.Select(t => t.AsView()))),
        new FeedSource<Course>("courses", r => r.CanvasId, async (db, me, rows, ct) => await CourseViews.BuildAsync(db, me, rows, ct)),
        new FeedSource<AssignmentGroup>("assignment_groups", r => r.CanvasId, (_, _, rows, _) => Views(rows.Select(g => g.AsView()))),
        new FeedSource<Assignment>("assignments", r => r.CanvasId, async (db, me, rows, ct) =>
            await AssignmentViews.BuildAsync(db, me, rows, ct)),
        new FeedSource<Submission>("submissions", r => r.CanvasId, (_, _, rows, _) => Views(rows.Select(s => s.AsView()))),
        new FeedSource<Enrollment>("enrollments", r => r.CanvasId, async (db, me, rows, ct) =>
            await EnrollmentViews.BuildAsync(db, me, rows, ct)),
        new FeedSource<CanvasPerson>("users", r => r.CanvasId, (_, _, rows, _) => Views(rows.Select(p => p.AsView()))),
        new FeedSource<GroupCategory>("group_categories", r => r.CanvasId, (_, _, rows, _) => Views(rows.Select(c => c.AsView()))),
        new FeedSource<Group>("groups", r => r.CanvasId, async (db, me, rows, ct) => await GroupViews.BuildAsync(db, me, rows, ct)),
        new FeedSource<GroupMembership>("group_memberships", r => r.CanvasId, (_, _, rows, _) => Views(rows.Select(m => m.AsView()))),
        new FeedSource<PlannerItem>("planner_items", r => r.CanvasId, (_, _, rows, _) => Views(rows.Select(p => p.AsView()))),
        new FeedSource<PlannerTask>("tasks", r => r.Id, (_, _, rows, _) => Views(rows.Select(t => t.AsView()))),
    ];

    private static Task<IEnumerable<object>> Views<T>(IEnumerable<T> views) where T : class => Task.FromResult<IEnumerable<object>>(views);

    /// <summary>How many rows of each entity type the connection has (not counting deleted ones).</summary>
    public static async Task<Dictionary<string, long>> CountsAsync(CanvasSyncDbContext db, long connectionId, CancellationToken ct)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var source in Sources) counts[source.EntityType] = await source.CountAsync(db, connectionId, ct);
        return counts;
    }

    /// <summary>The position after everything committed so far: where a reader that has just copied the data starts.</summary>
    public static async Task<FeedPosition> NowAsync(CanvasSyncDbContext db, long connectionId, CancellationToken ct) =>
        new(await CommittedVersionAsync(db, connectionId, ct), Sources.Length, 0);

    public static async Task<(List<ChangeView> Changes, FeedPosition Next, bool HasMore)> ReadAsync(CanvasSyncDbContext db,
        OwnConnection me,
        FeedPosition after, int limit, CancellationToken ct)
    {
        // Versions commit in order (ChangeVersions), so bounding every query by the counter's committed value gives
        // one consistent prefix even though the queries run one after another while a sync writes.
        var upTo = await CommittedVersionAsync(db, me.Id, ct);
        var candidates = new List<(FeedPosition Position, int Source, IChangeTracked Row)>();
        for (var i = 0; i < Sources.Length; i++)
        {
            foreach (var row in await Sources[i].RowsAfterAsync(db, me.Id, after, i, upTo, limit + 1, ct))
                candidates.Add((new FeedPosition(row.ChangeVersion, i, row.Id), i, row));
        }

        var page = candidates.OrderBy(c => c.Position).Take(limit).ToList();
        var views = new Dictionary<(int, long), ChangeView>();
        foreach (var group in page.GroupBy(c => c.Source))
        {
            var source = Sources[group.Key];
            var rows = group.Select(c => c.Row).ToList();
            var data = (await source.ViewsAsync(db, me, rows, ct)).ToList();
            for (var r = 0; r < rows.Count; r++)
                views[(group.Key, rows[r].Id)] = new ChangeView(source.EntityType, source.IdOf(rows[r]), KindOf(rows[r], group.Key, after),
                    rows[r].ChangeVersion, rows[r].ChangedAt, data[r]);
        }

        var changes = page.Select(c => views[(c.Source, c.Row.Id)]).ToList();
        return (changes, page.Count > 0 ? page[^1].Position : after, candidates.Count > limit);
    }

    /// <summary>Deleted, or created after the reader's position (so new to the reader), or else updated.</summary>
    private static string KindOf(IChangeTracked row, int source, FeedPosition after) =>
        row.DeletedAt is not null ? "deleted" : new FeedPosition(row.CreatedVersion, source, row.Id) > after ? "created" : "updated";

    private static Task<long> CommittedVersionAsync(CanvasSyncDbContext db, long connectionId, CancellationToken ct) =>
        db.Connections.Where(c => c.Id == connectionId).Select(c => c.ChangeVersion).SingleAsync(ct);
}

/// <summary>One entity type of the feed: how to find its rows after a position, and how to show them.</summary>
internal abstract class FeedSource(string entityType)
{
    public string EntityType { get; } = entityType;
    public abstract long IdOf(IChangeTracked row);
    public abstract Task<long> CountAsync(CanvasSyncDbContext db, long connectionId, CancellationToken ct);
    public abstract Task<List<IChangeTracked>> RowsAfterAsync(CanvasSyncDbContext db, long connectionId, FeedPosition after, int index,
        long upTo, int take, CancellationToken ct);
    public abstract Task<IEnumerable<object>> ViewsAsync(CanvasSyncDbContext db, OwnConnection me, List<IChangeTracked> rows,
        CancellationToken ct);
}

internal sealed class FeedSource<T>(string entityType, Func<T, long> id,
    Func<CanvasSyncDbContext, OwnConnection, IReadOnlyList<T>, CancellationToken, Task<IEnumerable<object>>> views) : FeedSource(entityType)
    where T : class, IChangeTracked
{
    public override long IdOf(IChangeTracked row) => id((T)row);

    public override Task<long> CountAsync(CanvasSyncDbContext db, long connectionId, CancellationToken ct) =>
        db.Set<T>().LongCountAsync(x => x.ConnectionId == connectionId && x.DeletedAt == null, ct);

    public override async Task<List<IChangeTracked>> RowsAfterAsync(CanvasSyncDbContext db, long connectionId, FeedPosition after,
        int index, long upTo,
        int take, CancellationToken ct)
    {
        var (v, rowId) = (after.Version, after.RowId);
        var query = db.Set<T>().AsNoTracking().Where(x => x.ConnectionId == connectionId && x.ChangeVersion <= upTo);
        // Within one version the feed goes by entity type, then row: sources before the cursor's have passed that version.
        query = index < after.Source ? query.Where(x => x.ChangeVersion > v)
            : index == after.Source ? query.Where(x => x.ChangeVersion > v || (x.ChangeVersion == v && x.Id > rowId))
            : query.Where(x => x.ChangeVersion >= v);
        var rows = await query.OrderBy(x => x.ChangeVersion).ThenBy(x => x.Id).Take(take).ToListAsync(ct);
        return rows.Cast<IChangeTracked>().ToList();
    }

    public override Task<IEnumerable<object>> ViewsAsync(CanvasSyncDbContext db, OwnConnection me, List<IChangeTracked> rows,
        CancellationToken ct) =>
        views(db, me, rows.Cast<T>().ToList(), ct);
}
