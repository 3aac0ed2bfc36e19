namespace CanvasSync.Features.SyncRuns;

/// <summary>What every page of one run needs to know.</summary>
internal sealed record RunContext(long RunId, long ConnectionId, SyncType Type, SyncScope Scope,
    /// <summary>The connection's Canvas (scheme, host, port): relative links in descriptions resolve against it.</summary>
    string CanvasBaseUrl,
    /// <summary>When the run first started (kept across resumes): rows not seen since then were not listed.</summary>
    DateTime SeenSince,
    /// <summary>Delta and reconcile: changes since this moment (the last complete sync's start, less an overlap).</summary>
    DateTime? ChangesSince,
    /// <summary>A delta that also re-reads what no delta filter shows (<see cref="SyncRun.SlowLane"/>).</summary>
    bool SlowLane = false,
    /// <summary>The connection's <see cref="Connections.CanvasConnection.GraphQLRefusedUntil"/> as the run started.</summary>
    DateTime? GraphQLRefusedUntil = null)
{
    /// <summary>Full and reconcile read every collection complete; only a delta reads what changed.</summary>
    public bool ReadsEverything => Type != SyncType.Delta;
}

/// <summary>One unfinished collection of a run: its checkpoint row, named by (run, course, collection).</summary>
internal sealed record CheckpointWork(long CourseId, string Collection, string NextPageUrl)
{
    /// <summary>"group_memberships:123" → "group_memberships".</summary>
    public string Kind => Collection.Split(':')[0];
    public string? Detail => Collection.Contains(':', StringComparison.Ordinal)
        ? Collection[(Collection.IndexOf(':', StringComparison.Ordinal) + 1)..] : null;
}
