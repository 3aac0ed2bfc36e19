using CanvasSync.Data.Mirror;

namespace CanvasSync.Features.SyncRuns;

/// <summary>What writing one page did, committed with it: counts per entity type and the collections it opened.</summary>
internal sealed class PageEffects
{
    public Dictionary<string, WriteCounts> Counts { get; } = new(StringComparer.Ordinal);
    public List<CheckpointWork> Children { get; } = [];

    public void Count(string entityType, WriteCounts counts) =>
        Counts[entityType] = Counts.GetValueOrDefault(entityType) + counts;

    public void Open(long courseId, string collection, string firstPageUrl) => Children.Add(new CheckpointWork(courseId, collection, firstPageUrl));
}
