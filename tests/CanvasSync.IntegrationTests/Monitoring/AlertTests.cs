using System.Net.Http.Json;
using CanvasSync.Features.Monitoring.Alerts;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Monitoring;

/// <summary>
/// Alerts as they arrive: a local SMTP server and a local HTTP receiver (standing in for Slack) on loopback, the
/// service's real MailKit and HttpClient sending to them through its job queue.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AlertTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_failed_run_and_a_dead_token_alert_by_slack_and_email_once_per_cooldown(string provider)
    {
        await using var smtp = new LoopbackSmtpServer();
        await using var slack = await LoopbackWebhook.StartAsync();
        await using var h = await StartAsync(provider, postgres, [.. MonitoringScenario.FastFailure, .. AlertSettings(smtp, slack)]);
        var s = await MonitoringScenario.RunAsync(h);

        // Bob's failure and carol's dead token: one alert each, on both channels.
        var mails = await smtp.WaitForAsync(2);
        var posts = await slack.WaitForAsync(2);
        var failed = Assert.Single(mails, m => m.Subject == "[CanvasSync] A sync for bob failed");
        Assert.Contains($"Sync run {s.BobFailed.RunId} (full) of bob's connection to 127.0.0.1 ended failed", failed.TextBody,
            StringComparison.Ordinal);
        Assert.Contains("canvas_error", failed.TextBody, StringComparison.Ordinal);
        var reauth = Assert.Single(mails, m => m.Subject == "[CanvasSync] carol's Canvas token no longer works");
        Assert.Contains("token_revoked", reauth.TextBody, StringComparison.Ordinal);
        Assert.Contains("connects Canvas again with a new token", reauth.TextBody, StringComparison.Ordinal);
        Assert.All(smtp.Received, r => Assert.Equal(["ops@example.test", "oncall@example.test"], r.To));
        Assert.All(smtp.Received, r => Assert.Equal("canvassync@example.test", r.From));
        var texts = posts.Select(p => p.GetProperty("text").GetString()!).ToList();
        Assert.Single(texts, t => t.Contains("A sync for bob failed", StringComparison.Ordinal)
            && t.Contains($"Sync run {s.BobFailed.RunId}", StringComparison.Ordinal));
        Assert.Single(texts, t => t.Contains("carol's Canvas token no longer works", StringComparison.Ordinal));

        // Bob fails again within the cool-down: recorded as held, nothing sent.
        h.Sandbox.Settings.FaultRate = 1.0;
        var again = (await h.SyncStoredAsync(s.Bob.UserId))!;
        h.Sandbox.Settings.FaultRate = 0;
        Assert.Equal(SyncStatus.Failed, again.Status);
        await using (var db = h.Database.Context())
            Assert.Equal([s.BobFailed.RunId, s.CarolReauth.RunId],
                await db.SentAlerts.OrderBy(a => a.RunId).Select(a => a.RunId).ToListAsync());
        Assert.Contains(h.Logs.Lines, l => l.Contains($"Alert failed for sync run {again.RunId} of connection", StringComparison.Ordinal)
            && l.Contains("held back", StringComparison.Ordinal));

        // Once the cool-down has passed (the last alert moved an hour back), the next failure alerts again.
        await using (var db = h.Database.Context())
            await db.SentAlerts.ExecuteUpdateAsync(u => u.SetProperty(a => a.SentAt, a => a.SentAt.AddHours(-2)));
        h.Sandbox.Settings.FaultRate = 1.0;
        var later = (await h.SyncStoredAsync(s.Bob.UserId))!;
        h.Sandbox.Settings.FaultRate = 0;
        await smtp.WaitForAsync(3);
        await slack.WaitForAsync(3);
        Assert.Contains(smtp.Received, r => r.Message.TextBody?.Contains($"Sync run {later.RunId} ", StringComparison.Ordinal) == true);

        // The webhook's secret path and the tokens appear in no log line.
        foreach (var secret in new[] { slack.Secret, h.Sandbox.Tokens.Teacher, h.Sandbox.Tokens.Admin })
            Assert.DoesNotContain(h.Logs.Lines, l => l.Contains(secret, StringComparison.Ordinal));
        Assert.All(smtp.Received, r => Assert.DoesNotContain(h.Sandbox.Tokens.Admin, r.Message.TextBody, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_weekly_report_mails_the_summary_and_the_failures()
    {
        await using var smtp = new LoopbackSmtpServer();
        await using var slack = await LoopbackWebhook.StartAsync();
        await using var h = await StartAsync("sqlite", postgres, [.. MonitoringScenario.FastFailure, .. AlertSettings(smtp, slack)]);
        var s = await MonitoringScenario.RunAsync(h);
        await smtp.WaitForAsync(2); // the two alerts
        while (smtp.Received.TryDequeue(out _)) { }

        // The recurring job, run now by the job server, as its schedule would.
        h.App.Services.GetRequiredService<IRecurringJobManager>().Trigger(AlertJobs.WeeklyReportJobId);
        var report = Assert.Single(await smtp.WaitForAsync(1));
        Assert.Equal("[CanvasSync] Weekly report: 4 syncs, 2 failed", report.Subject);
        Assert.Contains("Syncs: 4 (2 succeeded, 2 failed, 0 cancelled)", report.TextBody, StringComparison.Ordinal);
        Assert.Contains("Success rate: 50.0%", report.TextBody, StringComparison.Ordinal);
        Assert.Contains($"run {s.BobFailed.RunId} of bob: failed, canvas_error", report.TextBody, StringComparison.Ordinal);
        Assert.Contains($"run {s.CarolReauth.RunId} of carol: needs_reauth, token_revoked", report.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("of alice", report.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alert_settings_are_checked_at_start_without_repeating_the_secret()
    {
        var bad = new[] { "--Monitoring:Alerts:SlackWebhookUrl=not a url with-secret-123", "--Monitoring:Alerts:Email:Host=127.0.0.1",
            "--Monitoring:Alerts:Email:From=nobody",
            "--Monitoring:Alerts:WeeklyReportCron=every monday" };
        var e = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync("sqlite", postgres, bad));
        Assert.Contains("Monitoring:Alerts:SlackWebhookUrl must be an absolute http(s) URL", e.Message, StringComparison.Ordinal);
        Assert.Contains("Monitoring:Alerts:Email:From must be an e-mail address", e.Message, StringComparison.Ordinal);
        Assert.Contains("Monitoring:Alerts:Email:To must list at least one address", e.Message, StringComparison.Ordinal);
        Assert.Contains("Monitoring:Alerts:WeeklyReportCron must be a cron expression", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("with-secret-123", e.Message, StringComparison.Ordinal);
    }

    private static string[] AlertSettings(LoopbackSmtpServer smtp, LoopbackWebhook slack) =>
    [
        $"--Monitoring:Alerts:SlackWebhookUrl={slack.Url}",
        "--Monitoring:Alerts:Email:Host=127.0.0.1",
        $"--Monitoring:Alerts:Email:Port={smtp.Port}",
        "--Monitoring:Alerts:Email:Security=none",
        "--Monitoring:Alerts:Email:From=canvassync@example.test",
        "--Monitoring:Alerts:Email:To:0=ops@example.test",
        "--Monitoring:Alerts:Email:To:1=oncall@example.test",
    ];
}
