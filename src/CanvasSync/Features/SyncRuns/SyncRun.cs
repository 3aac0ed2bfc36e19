namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// Full: every collection, complete. Delta: what changed since the last complete run. Reconcile: a full re-read of a
/// connection already synced, on a schedule, whose every write is drift (something a delta should have caught).
/// </summary>
internal enum SyncType { Full, Delta, Reconcile }

/// <summary>How a delta learnt what changed: one GraphQL query, or REST's own listings and filters.</summary>
internal static class DeltaSources
{
    public const string GraphQL = "graphql";
    public const string Rest = "rest";
}

internal enum SyncStatus { Queued, Running, Completed, CompletedWithErrors, Failed, Cancelled, NeedsReauth }

/// <summary>One sync of one connection: what it was asked to do, how far it got, and what it cost.</summary>
internal sealed class SyncRun
{
    public long Id { get; set; }
    public long ConnectionId { get; set; }
    public SyncType Type { get; set; }
    /// <summary>A delta that also re-reads what no delta filter shows (memberships, overridden due dates): the slow lane.</summary>
    public bool SlowLane { get; set; }
    /// <summary>
    /// A delta the scheduler chose to follow with a reconcile the moment it completes, so the reconcile compares Canvas
    /// with a mirror seconds old and what it writes is drift, not the last hour's activity.
    /// </summary>
    public bool ThenReconcile { get; set; }
    /// <summary>How a delta learnt what changed: <see cref="DeltaSources.GraphQL"/> or <see cref="DeltaSources.Rest"/>; null for other
    /// runs.</summary>
    public string? DeltaSource { get; set; }
    /// <summary>JSON: {"term_id": ..., "course_ids": [...]}; "{}" for all courses.</summary>
    public string ScopeJson { get; set; } = "{}";
    public bool DryRun { get; set; }
    public SyncStatus Status { get; set; }
    public bool Resumed { get; set; }
    public DateTime QueuedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>Last sign of life from the worker running it; a stale heartbeat means the worker died.</summary>
    public DateTime? HeartbeatAt { get; set; }
    /// <summary>
    /// The node holding the run's lease (see <see cref="Cluster.NodeIdentity"/>), renewed through
    /// <see cref="HeartbeatAt"/>; null when nobody holds it.
    /// </summary>
    public string? LeaseOwner { get; set; }
    /// <summary>The node that last worked on the run (kept after it ends, for the history).</summary>
    public string? Node { get; set; }
    /// <summary>How many times a node started or resumed the run; numbers its events apart across nodes.</summary>
    public int Attempt { get; set; }
    /// <summary>Someone asked to cancel it while another node ran it: that node stops it when it next renews its lease.</summary>
    public bool CancelRequested { get; set; }
    public string? Phase { get; set; }
    public double Percent { get; set; }
    public long ItemsDone { get; set; }
    public long? ItemsEstimated { get; set; }
    public long Requests { get; set; }
    public long Pages { get; set; }
    public long Items { get; set; }
    public long Bytes { get; set; }
    public double RequestCost { get; set; }
    public long Throttled { get; set; }
    public long Retries { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>Seconds workers spent on the run, summed over its attempts: a resumed run's time lying dead is not in it.</summary>
    public double ActiveSeconds { get; set; }
    /// <summary>JSON {"phase": seconds}, see <see cref="PhaseTimes"/>.</summary>
    public string PhaseSecondsJson { get; set; } = "{}";
    public List<SyncCheckpoint> Checkpoints { get; set; } = [];
    public List<SyncRunCount> Counts { get; set; } = [];
    public List<SyncRunDrift> Drift { get; set; } = [];
}

/// <summary>
/// Where one collection of a run stands: the next page to fetch (an opaque Canvas URL) or done. Written in the same
/// transaction as the page's rows, so a resumed run refetches at most the pages that were in flight.
/// </summary>
internal sealed class SyncCheckpoint
{
    public long Id { get; set; }
    public long RunId { get; set; }
    /// <summary>0 for collections that belong to no course (courses, planner items).</summary>
    public long CourseCanvasId { get; set; }
    public string Collection { get; set; } = "";
    public string? NextPageUrl { get; set; }
    public bool Done { get; set; }
    public long ItemsFetched { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Per-run write counts for one entity type.</summary>
internal sealed class SyncRunCount
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public string EntityType { get; set; } = "";
    public long Created { get; set; }
    public long Updated { get; set; }
    public long Deleted { get; set; }
    public long Unchanged { get; set; }
}

/// <summary>
/// What a reconcile had to change in one field of one entity type: rows a delta should have brought and did not.
/// Field "(created)" and "(deleted)" count whole rows; any other is a top-level key of Canvas's JSON.
/// </summary>
internal sealed class SyncRunDrift
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public string EntityType { get; set; } = "";
    public string Field { get; set; } = "";
    /// <summary>Rows that drifted (not "rows": ROWS is a keyword in both databases' SQL).</summary>
    public long RowCount { get; set; }
    /// <summary>One row that drifted (its Canvas id), to look at; null for deletions.</summary>
    public long? ExampleCanvasId { get; set; }
}
