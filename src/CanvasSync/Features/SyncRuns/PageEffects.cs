using CanvasSync.Data.Mirror;

namespace CanvasSync.Features.SyncRuns;

/// <summary>What writing one page did, committed with it: counts per entity type and the collections it opened.</summary>
internal sealed class PageEffects
{
    public Dictionary<string, WriteCounts> Counts { get; } = new(StringComparer.Ordinal);
    public List<CheckpointWork> Children { get; } = [];

    /// <summary>A reconcile's drift: rows per (entity type, field), and one row's id to look at.</summary>
    public Dictionary<(string EntityType, string Field), (long Rows, long? Example)> Drift { get; } = [];

    public void AddDrift(string entityType, string field, long rows, long? example)
    {
        var (had, seen) = Drift.GetValueOrDefault((entityType, field));
        Drift[(entityType, field)] = (had + rows, seen ?? example);
    }

    public void Count(string entityType, WriteCounts counts) =>
        Counts[entityType] = Counts.GetValueOrDefault(entityType) + counts;

    public void Open(long courseId, string collection, string firstPageUrl) =>
        Children.Add(new CheckpointWork(courseId, collection, firstPageUrl));
}
