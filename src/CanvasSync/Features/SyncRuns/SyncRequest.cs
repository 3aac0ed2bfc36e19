using System.Text.Json;
using System.Text.Json.Serialization;

namespace CanvasSync.Features.SyncRuns;

/// <summary>Which courses a run covers: all (both empty), one term, or a list of course ids.</summary>
internal sealed record SyncScope([property: JsonPropertyName("term_id")] long? TermId = null,
    [property: JsonPropertyName("course_ids")] IReadOnlyList<long>? CourseIds = null)
{
    /// <summary>The most courses one scope may name.</summary>
    public const int MaxCourseIds = 1000;

    public bool IsAll => TermId is null && (CourseIds is null || CourseIds.Count == 0);

    public bool Includes(long courseId, long? termId) =>
        (TermId is null || termId == TermId) && (CourseIds is null || CourseIds.Count == 0 || CourseIds.Contains(courseId));

    public string ToJson() => JsonSerializer.Serialize(this with { CourseIds = CourseIds?.Order().ToList() });

    public static SyncScope FromJson(string json) => JsonSerializer.Deserialize<SyncScope>(json) ?? new SyncScope();
}

/// <summary>
/// What to sync. A delta with no earlier complete sync to start from runs as a full sync. A dry run walks Canvas and
/// reports what it would create, update and delete, writing nothing but its own run record. <paramref name="SlowLane"/>
/// makes a delta take the slow lane now (it does so anyway once Sync:SlowLaneEveryHours have passed);
/// <paramref name="ThenReconcile"/> has the job that runs a delta reconcile the connection as soon as it completes.
/// </summary>
internal sealed record SyncRequest(SyncType Type, SyncScope Scope, bool ForceRestart = false, bool DryRun = false, bool SlowLane = false,
    bool ThenReconcile = false);

/// <summary>Per entity type, what a run wrote.</summary>
internal sealed record EntityCounts(long Created, long Updated, long Deleted, long Unchanged);

/// <summary>How a run ended. <c>Duration</c> is the run's duration as <see cref="RunFigures"/> defines it (every attempt's work).</summary>
internal sealed record SyncResult(long RunId, SyncStatus Status, SyncType Type, bool Resumed, TimeSpan Duration, long Requests,
    long Throttled,
    long Retries, IReadOnlyDictionary<string, EntityCounts> Counts, IReadOnlyList<string> Errors, bool DryRun = false)
{
    /// <summary>A reconcile's drift: what it had to write that a delta should have (empty for other runs, and for a mirror that kept
    /// up).</summary>
    public IReadOnlyList<SyncRunDrift> Drift { get; init; } = [];

    /// <summary>The items Canvas served the run (<see cref="RunFigures"/>).</summary>
    public long ItemsRead { get; init; }

    /// <summary>A delta's <see cref="SyncRun.DeltaSource"/>.</summary>
    public string? DeltaSource { get; init; }

    /// <summary>Why the run did not complete, as the run's record and the API say it (null when it completed).</summary>
    public string? ErrorCode { get; init; }

    /// <inheritdoc cref="ErrorCode"/>
    public string? ErrorMessage { get; init; }
}

/// <summary>
/// A progress report, at each page written. Percent only grows and reaches 100 when the run completes; it follows
/// items against an estimate (what the connection's last run of the same kind read) when there is one, else
/// collections finished against collections known. The ETA extrapolates the elapsed time from the percent.
/// </summary>
internal sealed record SyncProgress(long RunId, string Phase, long? CourseId, long ItemsDone, int CollectionsDone, int CollectionsKnown,
    long Requests, long Throttled,
    double Percent = 0, long? EstimatedTotal = null, double ElapsedSeconds = 0, double? EtaSeconds = null)
{
    /// <summary>Requests Canvas made CanvasSync retry so far (a count, so a terminal shows them without a log line each).</summary>
    public long Retries { get; init; }
}
