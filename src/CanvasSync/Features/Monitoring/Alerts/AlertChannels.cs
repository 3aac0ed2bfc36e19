using System.Net.Http.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CanvasSync.Features.Monitoring.Alerts;

/// <summary>A message for people: a subject (the e-mail's) and plain text.</summary>
internal sealed record AlertMessage(string Subject, string Text);

/// <summary>
/// Where alerts go: a Slack incoming webhook and an SMTP server, each used only when configured. A failure throws, so
/// the delivery job is retried; the webhook URL and the SMTP password never appear in what is thrown or logged.
/// </summary>
internal sealed class AlertChannels(IHttpClientFactory http, IOptions<MonitoringOptions> options)
{
    public const string Slack = "slack";
    public const string Email = "email";
    public const string HttpClientName = "alerts";

    /// <summary>The channels configured, by name.</summary>
    public IReadOnlyList<string> Configured
    {
        get
        {
            var o = options.Value.Alerts;
            var channels = new List<string>();
            if (o.SlackWebhook is not null) channels.Add(Slack);
            if (o.Email.Enabled) channels.Add(Email);
            return channels;
        }
    }

    public Task SendAsync(string channel, AlertMessage message, CancellationToken ct) => channel switch
    {
        Slack => SendSlackAsync(message, ct),
        Email => SendEmailAsync(message, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "unknown alert channel"),
    };

    private async Task SendSlackAsync(AlertMessage message, CancellationToken ct)
    {
        var url = options.Value.Alerts.SlackWebhook ?? throw new InvalidOperationException("no Slack webhook is configured");
        using var client = http.CreateClient(HttpClientName);
        HttpResponseMessage response;
        try
        {
            response = await client.PostAsJsonAsync(url, new { text = $"*{message.Subject}*\n{message.Text}" }, ct);
        }
        catch (HttpRequestException e)
        {
            // HttpClient's own message may name the host; the URL's path (the secret part) it never shows, but say less anyway.
            throw new AlertDeliveryException($"the Slack webhook could not be reached ({e.HttpRequestError})");
        }

        using (response)
            if (!response.IsSuccessStatusCode) throw new AlertDeliveryException($"the Slack webhook answered {(int)response.StatusCode}");
    }

    private async Task SendEmailAsync(AlertMessage message, CancellationToken ct)
    {
        var o = options.Value.Alerts.Email;
        if (!o.Enabled || o.Host is not { } host) throw new InvalidOperationException("no SMTP server is configured");
        var mail = new MimeMessage { Subject = message.Subject, Body = new TextPart("plain") { Text = message.Text } };
        mail.From.Add(MailboxAddress.Parse(o.From));
        foreach (var to in o.To) mail.To.Add(MailboxAddress.Parse(to));

        using var smtp = new SmtpClient();
        var security = o.Security switch
        {
            "tls" => SecureSocketOptions.SslOnConnect,
            "none" => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls
        };
        try
        {
            await smtp.ConnectAsync(host, o.Port, security, ct);
            if (!string.IsNullOrEmpty(o.Username)) await smtp.AuthenticateAsync(o.Username, o.Password ?? "", ct);
            await smtp.SendAsync(mail, ct);
            await smtp.DisconnectAsync(true, ct);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or MailKit.ProtocolException
                                      or MailKit.CommandException or AuthenticationException or SslHandshakeException)
        {
            throw new AlertDeliveryException($"e-mail through {host}:{o.Port} failed: {e.GetType().Name}");
        }
    }
}

/// <summary>An alert did not get through (the job retries it).</summary>
internal sealed class AlertDeliveryException(string message) : Exception(message);
