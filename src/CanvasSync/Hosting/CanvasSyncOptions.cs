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

    /// <summary>If not empty, only these Canvas hosts may be connected.</summary>
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

    [Range(1, 1440)]
    public int ScheduleEveryMinutes { get; set; } = 30;

    [Range(1, 10080)]
    public int StaleAfterMinutes { get; set; } = 60;
}
