using System.Text;
using System.Text.Json;

namespace CanvasSync.Canvas;

/// <summary>
/// What Canvas means by an answer other than 200 (docs/canvas.md §2): a dead token (401 with WWW-Authenticate, told
/// apart by Canvas's message), a permission gap (401 without it), throttling (429, or 403 whose body says so), a
/// refusal, a redirect never followed, or a failure worth retrying. Messages name the status and path, never the token.
/// </summary>
internal static class CanvasRefusals
{
    public static CanvasException Classify(Uri url, HttpResponseMessage response, byte[] body, Uri baseUrl)
    {
        var status = (int)response.StatusCode;
        var what = $"{status} from {url.AbsolutePath}";
        switch (status)
        {
            case 401 when response.Headers.WwwAuthenticate.Count > 0:
                return DeadToken(body, what);
            case 401:
                return new CanvasPermissionException($"{what}: the token may not read this resource");
            case 403 or 429 when status == 429
                || Encoding.UTF8.GetString(body).Contains("Rate Limit Exceeded", StringComparison.OrdinalIgnoreCase):
                return new CanvasThrottledException(response.Headers.RetryAfter?.Delta, $"{what}: rate limit exceeded");
            case 403:
                return new CanvasForbiddenException($"{what}: {Snippet(body)}");
            case 404:
                return new CanvasNotFoundException($"{what}: not found");
            case 400 or 422:
                return new CanvasBadRequestException($"{what}: Canvas rejected the request", Snippet(body));
            case >= 300 and < 400:
                var location = response.Headers.Location is { } l ? new Uri(url, l) : null;
                return new CanvasRedirectException($"{what}: Canvas redirected to {location?.Host}; not followed, so the token stays on {baseUrl.Host}", location);
            case 408 or >= 500:
                var html = response.Content.Headers.ContentType?.MediaType == "text/html";
                return new CanvasTransientException(html ? "proxy_error"
                    : "server_error", $"{what}{(html ? " (an HTML error page)" : "")}");
            default:
                return new CanvasProtocolException($"{what}: unexpected status");
        }
    }

    /// <summary>Invalid, expired, revoked or missing, from Canvas's first error message; a body that is not Canvas's JSON is still a dead
    /// token.</summary>
    private static CanvasTokenException DeadToken(byte[] body, string what)
    {
        string? message = null;
        DateTime? expiredAt = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
                && errors.GetArrayLength() > 0)
            {
                message = errors[0].TryGetProperty("message", out var m) ? m.GetString() : null;
                if (errors[0].TryGetProperty("expired_at", out var at) && at.TryGetDateTime(out var t)) expiredAt = t.ToUniversalTime();
            }
        }
        catch (JsonException)
        {
            // Not Canvas's JSON: still a dead token, reason unknown.
        }

        var reason = message switch
        {
            _ when message?.Contains("Expired", StringComparison.OrdinalIgnoreCase) == true => DeadTokenReason.Expired,
            _ when message?.Contains("Revoked", StringComparison.OrdinalIgnoreCase) == true => DeadTokenReason.Revoked,
            _ when message?.Contains("authorization required", StringComparison.OrdinalIgnoreCase) == true => DeadTokenReason.Missing,
            _ => DeadTokenReason.Invalid,
        };
        return new CanvasTokenException(reason,
            expiredAt, $"{what}: the Canvas token is {reason.ToString().ToLowerInvariant()} and must be replaced");
    }

    private static string Snippet(byte[] body) => Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
}
