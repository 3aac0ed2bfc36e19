using System.Collections.Concurrent;
using System.Data.Common;
using CanvasSync.Canvas;

namespace CanvasSync.Features.SyncRuns;

/// <summary>One run's moving parts while it goes on, shared by the engine, its page commits, its lease and its finish.</summary>
internal sealed class RunState(SyncRun run, RunContext context, CanvasSession session, IProgress<SyncProgress>? progress,
    ProgressTracker tracker)
{
    public ProgressTracker Tracker { get; } = tracker;
    public PhaseTimes Phases { get; } = new();
    public RunContext Context { get; } = context;
    public bool DryRun { get; } = run.DryRun;
    public DbConnection? DryConnection { get; set; }
    public DbTransaction? DryTransaction { get; set; }
    public CanvasSession Session { get; } = session;
    public IProgress<SyncProgress>? Progress { get; } = progress;
    /// <summary>What earlier attempts of the run cost (a resumed run adds to it).</summary>
    public RunTotals Before { get; } = RunTotals.Of(run);
    public WorkQueue Queue { get; } = new();
    /// <summary>One writer at a time: SQLite has a single writer anyway, and it keeps "the last batch of a course" decisions
    /// race-free.</summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);
    public ConcurrentQueue<string> Errors { get; } = new();
    public CancellationTokenSource? Stop { get; set; }
    public CanvasTokenException? DeadToken { get; set; }
    /// <summary>Another node took the run over (this one missed renewing its lease): stop, and write nothing more.</summary>
    public bool LeaseLost { get; set; }
    public Exception? Failure { get; set; }
    public long ItemsDone { get; set; }
    /// <summary>Whom the token belongs to (GET /users/self, asked first, or proved lately: <see cref="ProvenTokens"/>).</summary>
    public long CanvasUserId { get; set; }
    public int CollectionsDone { get; set; }
    public int CollectionsKnown { get; set; }

    /// <summary>Stops the run for good on this node: another node holds it now.</summary>
    public async Task LoseLeaseAsync()
    {
        LeaseLost = true;
        await Stop!.CancelAsync();
    }

    /// <summary>What this attempt cost so far, added to what earlier attempts did.</summary>
    public (long Requests, long Throttled, long Retries) Totals() =>
        (Before.Requests + Session.Accounting.Requests, Before.Throttled + Session.Accounting.Throttled,
            Before.Retries + Session.Accounting.Retries);
}
