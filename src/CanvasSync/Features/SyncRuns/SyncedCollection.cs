using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CanvasSync.Canvas;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Courses;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.Groups;
using CanvasSync.Features.Planner;
using CanvasSync.Features.Submissions;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// One mirrored Canvas collection, as the engine knows it: the name its checkpoints carry and how it is read. The
/// engine knows nothing else about any collection; each one lives in its feature's folder (docs/architecture.md).
/// </summary>
internal interface ISyncedCollection
{
    /// <summary>What its checkpoints are called ("assignments"); a checkpoint may add ":detail" ("submissions:2").</summary>
    string Kind { get; }

    /// <summary>Hands itself to the run's reader with its wire type, so the reader stays generic over collections.</summary>
    Task ReadAsync(ICollectionReader reader, CheckpointWork work, CancellationToken ct);
}

/// <summary>The engine's side of a read: pages from the checkpoint's cursor on, each committed as it arrives.</summary>
internal interface ICollectionReader
{
    Task ReadAsync<T>(SyncedCollection<T> collection, CheckpointWork work, CancellationToken ct);
}

/// <summary>A collection whose items Canvas serves as <typeparamref name="T"/>.</summary>
internal abstract class SyncedCollection<T> : ISyncedCollection
{
    public abstract string Kind { get; }

    /// <summary>The typed view of an item (source-generated JSON); the raw JSON is kept beside it.</summary>
    public abstract JsonTypeInfo<T> WireType { get; }

    /// <summary>An item's key when it has no "id" of its own.</summary>
    public virtual Func<JsonElement, string?>? ItemKey => null;

    /// <summary>
    /// Writes one page inside its transaction: the rows, the tombstones a complete listing allows (on the last page),
    /// and the collections the page opens. Rows, tombstones, new checkpoints and the cursor commit together.
    /// </summary>
    public abstract Task WriteAsync(PageWrite write, CanvasPage<T> page);

    /// <summary>What to read instead when Canvas refuses the checkpoint's query as a whole (403); null: it is the collection's
    /// error.</summary>
    public virtual CheckpointWork? InsteadWhenRefused(CheckpointWork work) => null;

    /// <summary>Every page from <paramref name="firstPage"/> on, read as a sync reads it (for tests and tools).</summary>
    public IAsyncEnumerable<CanvasPage<T>> PagesAsync(CanvasSession session, string firstPage, CancellationToken ct = default) =>
        session.PagesAsync(Kind, firstPage, WireType, ItemKey, ct);

    public Task ReadAsync(ICollectionReader reader, CheckpointWork work, CancellationToken ct) => reader.ReadAsync(this, work, ct);
}

/// <summary>
/// Every collection a sync reads. Adding one is its folder (path, wire type, table, rows, page writing, entity,
/// views), a migration, and one line here.
/// </summary>
internal static class SyncedCollections
{
    public static IReadOnlyList<ISyncedCollection> All { get; } =
    [
        CoursesCollection.Instance,
        AssignmentGroupsCollection.Instance,
        AssignmentsCollection.Instance,
        SubmissionsCollection.Instance,
        EnrollmentsCollection.Instance,
        GroupCategoriesCollection.Instance,
        GroupsCollection.Instance,
        MembershipsCollection.Instance,
        PlannerItemsCollection.Instance,
    ];

    private static readonly FrozenDictionary<string, ISyncedCollection> ByKind =
        All.ToFrozenDictionary(c => c.Kind, StringComparer.Ordinal);

    public static ISyncedCollection For(CheckpointWork work) =>
        ByKind.TryGetValue(work.Kind, out var collection) ? collection
            : throw new InvalidOperationException($"unknown collection {work.Collection}");

    /// <summary>Where every run starts: the course list, whose pages open everything else.</summary>
    public static CheckpointWork Root => new(0, CoursesCollection.Instance.Kind, CoursesCollection.FirstPage);
}
