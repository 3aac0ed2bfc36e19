namespace CanvasSync.Features.SyncRuns;

public enum SyncType { Full, Delta }

public enum SyncStatus { Queued, Running, Completed, CompletedWithErrors, Failed, Cancelled, NeedsReauth }

/// <summary>One sync of one connection: what it was asked to do, how far it got, and what it cost.</summary>
public sealed class SyncRun
{
    public long Id { get; set; }
    public long ConnectionId { get; set; }
    public SyncType Type { get; set; }
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
}

/// <summary>
/// Where one collection of a run stands: the next page to fetch (an opaque Canvas URL) or done. Written in the same
/// transaction as the page's rows, so a resumed run refetches at most the pages that were in flight.
/// </summary>
public sealed class SyncCheckpoint
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
public sealed class SyncRunCount
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public string EntityType { get; set; } = "";
    public long Created { get; set; }
    public long Updated { get; set; }
    public long Deleted { get; set; }
    public long Unchanged { get; set; }
}
