using System.Text.Json;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// What a reconcile found a delta had missed. Every row a reconcile creates, changes or deletes in a table a delta
/// reads only in part (submissions, memberships, group sets: <see cref="Data.Mirror.MirrorTable.DeltaReadsPart"/>) is
/// drift, named by the top-level fields of Canvas's JSON that differ ("(created)" and "(deleted)" for whole rows),
/// unless the row's own timestamps say Canvas changed it after the last complete sync started: that change is
/// ordinary activity, which the next delta would have read as well. Tables every delta re-lists in full cannot drift:
/// a reconcile finds there only what Canvas changed since the last delta.
/// </summary>
internal static class Drift
{
    public const string Created = "(created)";
    public const string Deleted = "(deleted)";

    /// <summary>
    /// The drifted fields of a row a reconcile wrote: none when its own timestamps say Canvas changed it after
    /// <paramref name="since"/> (activity), <see cref="Created"/> when it is new (<paramref name="oldRaw"/> null), else the
    /// top-level fields in which <paramref name="newRaw"/> differs from <paramref name="oldRaw"/>.
    /// </summary>
    public static IReadOnlyList<string> Of(string? oldRaw, string newRaw, DateTime? since)
    {
        using var after = JsonDocument.Parse(newRaw);
        if (IsRecentActivity(after.RootElement, since)) return [];
        if (oldRaw is null) return [Created];
        using var before = JsonDocument.Parse(oldRaw);
        if (before.RootElement.ValueKind != JsonValueKind.Object || after.RootElement.ValueKind != JsonValueKind.Object) return ["(value)"];
        var old = before.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText(), StringComparer.Ordinal);
        var fields = new List<string>();
        foreach (var p in after.RootElement.EnumerateObject())
        {
            if (!old.Remove(p.Name, out var was) || was != p.Value.GetRawText()) fields.Add(p.Name);
        }

        fields.AddRange(old.Keys); // keys Canvas no longer sends
        return fields;
    }

    /// <summary>The row says Canvas changed it after <paramref name="since"/> (updated_at, graded_at, submitted_at or posted_at).</summary>
    private static bool IsRecentActivity(JsonElement row, DateTime? since)
    {
        if (since is not { } t || row.ValueKind != JsonValueKind.Object) return false;
        foreach (var name in (ReadOnlySpan<string>)["updated_at", "graded_at", "submitted_at", "posted_at"])
        {
            if (row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTime(out var at)
                && at.ToUniversalTime() > t)
                return true;
        }

        return false;
    }
}
