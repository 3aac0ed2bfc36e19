namespace CanvasSync.Canvas;

/// <summary>Every error the Canvas client raises. Messages name the URL path and status, never the token.</summary>
internal abstract class CanvasException(string message, Exception? inner = null) : Exception(message, inner);

internal enum DeadTokenReason { Missing, Invalid, Expired, Revoked }

/// <summary>
/// 401 with WWW-Authenticate: the token itself is dead (docs/canvas.md §2). The connection must be re-authorised; the
/// session refuses every further request rather than keep presenting a dead token.
/// </summary>
internal sealed class CanvasTokenException(DeadTokenReason reason, DateTime? expiredAt, string message) : CanvasException(message)
{
    public DeadTokenReason Reason { get; } = reason;
    /// <summary>When Canvas reports it (expired tokens).</summary>
    public DateTime? ExpiredAt { get; } = expiredAt;
}

/// <summary>401 without WWW-Authenticate: no permission for this one resource. Skip it and go on.</summary>
internal sealed class CanvasPermissionException(string message) : CanvasException(message);

/// <summary>404: the resource is gone (or never existed).</summary>
internal sealed class CanvasNotFoundException(string message) : CanvasException(message);

/// <summary>400: Canvas rejected a request we built, which is our bug.</summary>
internal sealed class CanvasBadRequestException(string message, string body) : CanvasException(message)
{
    public string Body { get; } = body;
}

/// <summary>A 403 that is not a rate limit (e.g. "invalid assignment ids requested").</summary>
internal sealed class CanvasForbiddenException(string message) : CanvasException(message);

/// <summary>What Canvas did that a client must not go along with: a redirect, a next link to another host.</summary>
internal class CanvasProtocolException(string message) : CanvasException(message);

/// <summary>A list answer without any page link: Canvas's 6 KB Link header cap may have dropped its next (docs/canvas.md §3).</summary>
internal sealed class CanvasPageLinksLostException(string message) : CanvasProtocolException(message);

/// <summary>A 3xx: never followed (the token would go with it). The location's host is all the message names.</summary>
internal sealed class CanvasRedirectException(string message, Uri? location) : CanvasProtocolException(message)
{
    public Uri? Location { get; } = location;
}

/// <summary>Worth retrying: a 5xx, an HTML error page, a timeout, a cut connection, a truncated body.</summary>
internal sealed class CanvasTransientException(string cause, string message, Exception? inner = null) : CanvasException(message, inner)
{
    /// <summary>server_error | proxy_error | timeout | connection | truncated</summary>
    public string Cause { get; } = cause;
}

/// <summary>403 "Rate Limit Exceeded" or 429: back off and retry.</summary>
internal sealed class CanvasThrottledException(TimeSpan? retryAfter, string message) : CanvasException(message)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>The SSRF guard refused the address (private network, not allowed host): never retried.</summary>
internal sealed class CanvasAddressRefusedException(string message) : CanvasException(message);

/// <summary>
/// An answer over Canvas:MaxAnswerBytes (on the wire or decompressed), or a collection past Canvas:MaxPagesPerCollection:
/// that resource's error, never retried (the same answer would come again) and never the process's problem.
/// </summary>
internal sealed class CanvasAnswerTooLargeException(string message) : CanvasProtocolException(message);
