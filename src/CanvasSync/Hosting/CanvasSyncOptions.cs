using System.ComponentModel.DataAnnotations;
using CanvasSync.Data;

namespace CanvasSync.Hosting;

/// <summary>Section "Database". Also set by --db or CANVASSYNC_DB.</summary>
internal sealed class DatabaseOptions : IValidatableObject
{
    public const string Section = "Database";

    /// <summary>sqlite:PATH or a PostgreSQL connection string; SQLite in the working directory by default.</summary>
    [Required]
    public string Connection { get; set; } = "sqlite:canvas-sync.db";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!DatabaseTarget.TryParse(Connection, out _, out var error))
            yield return new ValidationResult($"Database:Connection: {error}", [nameof(Connection)]);
    }
}

/// <summary>Section "Canvas": how CanvasSync talks to Canvas servers.</summary>
internal sealed class CanvasOptions
{
    public const string Section = "Canvas";

    /// <summary>Allow Canvas URLs on loopback and private networks (the demo and tests; off in production).</summary>
    public bool AllowPrivateNetwork { get; set; }

    /// <summary>Allow http:// Canvas URLs (the sandbox in the demo and tests); https only otherwise.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>If not empty, only these Canvas hosts may be connected ("*.instructure.com" allows its subdomains).</summary>
    public string[] AllowedHosts { get; set; } = [];

    [Range(1, 600)]
    public int RequestTimeoutSeconds { get; set; } = 60;

    /// <summary>The most requests one token may have in flight; the throttle governor usually keeps fewer.</summary>
    [Range(1, 64)]
    public int MaxInFlightPerToken { get; set; } = 32;

    /// <summary>Retries of one request after a transient failure or a rate-limit refusal.</summary>
    [Range(0, 20)]
    public int RetryAttempts { get; set; } = 8;

    /// <summary>
    /// The most one Canvas answer may be, on the wire and again after decompression: a larger one is that resource's
    /// error. Canvas's own pages are at most a few MB (100 assignments with long descriptions).
    /// </summary>
    [Range(65_536d, 1_073_741_824d)]
    public long MaxAnswerBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>The most pages one collection may have; a Canvas whose next links never end is stopped here.</summary>
    [Range(10, 1_000_000)]
    public int MaxPagesPerCollection { get; set; } = 20_000;
}

/// <summary>Section "Sync": when background syncs run.</summary>
internal sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>Whether this node runs the recurring scheduler (queued syncs run either way).</summary>
    public bool SchedulerEnabled { get; set; } = true;

    [Range(1, 1440)]
    public int ScheduleEveryMinutes { get; set; } = 5;

    [Range(1, 10080)]
    public int StaleAfterMinutes { get; set; } = 60;

    /// <summary>
    /// The most connections the scheduler queues in one round (the rest wait for the next). To keep N connections
    /// fresh, BatchSize / ScheduleEveryMinutes must be at least N / StaleAfterMinutes.
    /// </summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1000;

    /// <summary>The scheduler tops the queue up to this many waiting syncs and no further, so the queue holds what the workers can
    /// take.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueuedRuns { get; set; } = 2000;

    /// <summary>Syncs one node runs at once.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 4;

    /// <summary>Retries of a sync job that failed as a whole, with growing delays.</summary>
    [Range(0, 20)]
    public int JobRetryAttempts { get; set; } = 3;

    /// <summary>
    /// Syncs one node runs at once for connections known to be large (Sync:LargeSyncItems), beside Sync:Workers, so
    /// that big instructor syncs never take the workers the many small ones need. 0 runs them with the small ones.
    /// </summary>
    [Range(0, 64)]
    public int LargeWorkers { get; set; } = 1;

    /// <summary>A connection whose last complete sync of the same type read at least this many items is large.</summary>
    [Range(1, 100_000_000)]
    public int LargeSyncItems { get; set; } = 5000;

    /// <summary>
    /// How often a connection's delta takes the slow lane: it also re-reads what no delta filter shows (every group's
    /// memberships, the submissions of assignments with overridden due dates). 0: every delta does.
    /// </summary>
    [Range(0, 24 * 30)]
    public int SlowLaneEveryHours { get; set; } = 24;

    /// <summary>
    /// How often a connection is reconciled: re-read in full, every difference written and counted as drift. 0: never
    /// on a schedule (a reconcile can still be asked for).
    /// </summary>
    [Range(0, 365)]
    public int ReconcileEveryDays { get; set; } = 7;

    /// <summary>
    /// The share of the connections a scheduler round queues that may get a reconcile (the rest stay deltas), so a week's reconciles
    /// spread over the rounds and never starve the deltas that keep everyone fresh. At least one per round.
    /// </summary>
    [Range(0.0, 1.0)]
    public double ReconcileShare { get; set; } = 0.1;

    /// <summary>
    /// Whether a student's delta first asks Canvas's GraphQL what changed, and reads over REST only the courses that
    /// did (docs/architecture.md). Off: every delta reads over REST, as when Canvas refuses GraphQL.
    /// </summary>
    public bool GraphQLDeltas { get; set; } = true;

    /// <summary>After Canvas refused GraphQL to a connection, how long its deltas stay on REST before GraphQL is tried again.</summary>
    [Range(1, 24 * 30)]
    public int GraphQLRetryHours { get; set; } = 6;

    /// <summary>
    /// A GraphQL delta reads the planner when a course changed, and otherwise at most this often: a planner note or a
    /// "marked done" made in Canvas shows in no GraphQL field. 0: every delta reads it.
    /// </summary>
    [Range(0, 24 * 60)]
    public int PlannerEveryMinutes { get; set; } = 60;

    /// <summary>
    /// A delta skips who-am-I (GET /users/self) when this node saw the same token answer it less than this long ago: the
    /// delta's first request proves the token alive. Full syncs and reconciles always ask. 0: every run asks.
    /// </summary>
    [Range(0, 24 * 7)]
    public int WhoAmIEveryHours { get; set; } = 24;

    /// <summary>
    /// How long a node's hold on a running sync lasts without being renewed (it renews every third of it). A node
    /// that dies loses its runs this long after its last renewal, and another node resumes them.
    /// </summary>
    [Range(5, 600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>How often each worker node looks for runs whose node died, to resume them.</summary>
    [Range(1, 300)]
    public int ReclaimEverySeconds { get; set; } = 10;
}

/// <summary>What a node does: everything (one machine), only the web front, or only background syncs.</summary>
internal enum NodeRole { All, Web, Worker }

/// <summary>Section "Node": this process's part in a deployment of several.</summary>
internal sealed class NodeOptions : IValidatableObject
{
    public const string Section = "Node";

    /// <summary>all (default): API, dashboard and syncs. web: API and dashboard; syncs run on workers. worker: syncs, with /health and
    /// /metrics only.</summary>
    public NodeRole Role { get; set; } = NodeRole.All;

    /// <summary>This node's name in run leases and the sync history; unique per running process. Default: host:pid.</summary>
    [MaxLength(100)]
    public string? Name { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Name is not null && (Name.Length == 0 || Name.Any(char.IsWhiteSpace)))
            yield return new ValidationResult("Node:Name: must be a non-empty name without spaces", [nameof(Name)]);
    }
}

/// <summary>Section "Security": the master key and the API's limits.</summary>
internal sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>
    /// The file with the key that encrypts the key ring in the database. Created on first start (when the key ring is
    /// still empty); keep it out of database backups, and back it up separately.
    /// </summary>
    [Required]
    public string MasterKeyFile { get; set; } = "canvas-sync.master.key";

    /// <summary>API requests per second one user may make, sustained.</summary>
    [Range(1, 100_000)]
    public int RequestsPerSecond { get; set; } = 50;

    /// <summary>How many requests above the sustained rate one user may make at once.</summary>
    [Range(1, 1_000_000)]
    public int RequestBurst { get; set; } = 200;

    /// <summary>The largest request body accepted, in bytes.</summary>
    [Range(1024, 100_000_000)]
    public long MaxRequestBodyBytes { get; set; } = 1_000_000;

    /// <summary>
    /// Requests without a valid API key or session (an invalid key, a sign-in attempt) per client address and minute:
    /// guessing keys or passwords is limited per address, not only per user.
    /// </summary>
    [Range(1, 100_000)]
    public int AnonymousRequestsPerMinute { get; set; } = 60;

    /// <summary>
    /// Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or CIDR ranges, e.g.
    /// "127.0.0.1" or "10.0.0.0/8"). Behind such a proxy the client's address is the one rate limits count, a request
    /// that reached the proxy over https counts as https (Secure cookies, HSTS). Empty: no proxy is believed.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];
}
