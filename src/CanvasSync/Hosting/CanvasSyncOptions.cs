using System.ComponentModel.DataAnnotations;
using CanvasSync.Data;

namespace CanvasSync.Hosting;

/// <summary>Section "Database". Also set by --db or CANVASSYNC_DB.</summary>
public sealed class DatabaseOptions : IValidatableObject
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
public sealed class CanvasOptions
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
}

/// <summary>Section "Sync": when background syncs run.</summary>
public sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>Whether this node runs the recurring scheduler (queued syncs run either way).</summary>
    public bool SchedulerEnabled { get; set; } = true;

    [Range(1, 1440)]
    public int ScheduleEveryMinutes { get; set; } = 30;

    [Range(1, 10080)]
    public int StaleAfterMinutes { get; set; } = 60;

    /// <summary>The most connections the scheduler queues in one round (the rest wait for the next).</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Syncs one node runs at once.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 4;

    /// <summary>Retries of a sync job that failed as a whole, with growing delays.</summary>
    [Range(0, 20)]
    public int JobRetryAttempts { get; set; } = 3;
}

/// <summary>Section "Security": the master key and the API's limits.</summary>
public sealed class SecurityOptions
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
}
