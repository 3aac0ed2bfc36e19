using System.ComponentModel.DataAnnotations;

namespace CanvasSync.Features.Monitoring;

/// <summary>Section "Monitoring": what counts as healthy, how long metrics are kept, who may scrape /metrics, alerts.</summary>
internal sealed class MonitoringOptions : IValidatableObject
{
    public const string Section = "Monitoring";

    /// <summary>Finished runs (the metrics and the sync history) older than this are deleted by a daily job.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>The window metrics/health judges the failure rate over.</summary>
    [Range(1, 720)]
    public int HealthWindowHours { get; set; } = 24;

    /// <summary>Failed and needs_reauth runs as a share of runs (cancelled ones aside) at which health is degraded.</summary>
    [Range(0.0, 1.0)]
    public double DegradedFailureRate { get; set; } = 0.2;

    /// <summary>... and at which it is unhealthy.</summary>
    [Range(0.0, 1.0)]
    public double UnhealthyFailureRate { get; set; } = 0.5;

    /// <summary>A run queued this long without a worker taking it is stuck.</summary>
    [Range(1, 1440)]
    public int StuckQueuedMinutes { get; set; } = 30;

    /// <summary>A usable connection whose newest complete sync is older than this has stale data.</summary>
    [Range(1, 8760)]
    public int StaleDataHours { get; set; } = 24;

    /// <summary>
    /// False (the default): /metrics needs an admin's API key (Prometheus sends it as a bearer token). True: anyone who
    /// can reach the port may scrape it; the figures carry no token and no user's name either way.
    /// </summary>
    public bool AnonymousMetrics { get; set; }

    public AlertOptions Alerts { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UnhealthyFailureRate < DegradedFailureRate)
            yield return new ValidationResult("Monitoring:UnhealthyFailureRate must be at least Monitoring:DegradedFailureRate",
                [nameof(UnhealthyFailureRate)]);
        foreach (var problem in Alerts.Problems()) yield return new ValidationResult("Monitoring:Alerts:" + problem, [nameof(Alerts)]);
    }
}

/// <summary>Section "Monitoring:Alerts": where a failed or needs_reauth run is announced. Each channel is optional.</summary>
internal sealed class AlertOptions
{
    /// <summary>One alert per connection and kind (failed, needs_reauth) within this many minutes; later ones are only logged.</summary>
    public int CooldownMinutes { get; set; } = 60;

    /// <summary>A Slack incoming webhook (https://hooks.slack.com/services/...). It is a secret: never logged.</summary>
    public string? SlackWebhookUrl { get; set; }

    public EmailOptions Email { get; set; } = new();

    /// <summary>When the weekly report e-mail goes out (cron, UTC): Mondays at 08:00 by default. Empty: no report.</summary>
    public string WeeklyReportCron { get; set; } = "0 8 * * 1";

    public Uri? SlackWebhook => string.IsNullOrWhiteSpace(SlackWebhookUrl) ? null : new Uri(SlackWebhookUrl);

    internal IEnumerable<string> Problems()
    {
        if (CooldownMinutes is < 0 or > 10_080) yield return "CooldownMinutes must be between 0 and 10080";
        if (!string.IsNullOrWhiteSpace(SlackWebhookUrl)
            && !(Uri.TryCreate(SlackWebhookUrl, UriKind.Absolute, out var url) && url.Scheme is "https" or "http"))
            yield return "SlackWebhookUrl must be an absolute http(s) URL"; // the value itself is a secret: not repeated
        if (!string.IsNullOrWhiteSpace(WeeklyReportCron)
            && WeeklyReportCron.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: not (5 or 6) })
            yield return "WeeklyReportCron must be a cron expression: minute hour day month weekday, e.g. \"0 8 * * 1\"";
        foreach (var problem in Email.Problems()) yield return "Email:" + problem;
    }
}

/// <summary>Section "Monitoring:Alerts:Email": an SMTP server. Without a Host, no e-mail is sent.</summary>
internal sealed class EmailOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    /// <summary>"starttls" (the default), "tls" (TLS from the first byte, usually port 465) or "none" (a local relay only).</summary>
    public string Security { get; set; } = "starttls";
    public string? Username { get; set; }
    /// <summary>A secret: never logged.</summary>
    public string? Password { get; set; }
    public string From { get; set; } = "";
    public string[] To { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    internal IEnumerable<string> Problems()
    {
        if (!Enabled) yield break;
        if (Port is < 1 or > 65535) yield return "Port must be between 1 and 65535";
        if (Security is not ("starttls" or "tls" or "none")) yield return "Security must be starttls, tls or none";
        if (!IsAddress(From)) yield return "From must be an e-mail address";
        if (To.Length == 0) yield return "To must list at least one address";
        foreach (var to in To.Where(t => !IsAddress(t))) yield return $"To: \"{to}\" is not an e-mail address";
    }

    /// <summary>user@host (MimeKit alone also takes a bare local part, which no SMTP server would deliver).</summary>
    private static bool IsAddress(string value) => MimeKit.MailboxAddress.TryParse(value, out var address)
        && address.Address.Contains('@', StringComparison.Ordinal);
}
