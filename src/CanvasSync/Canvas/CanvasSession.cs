using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CanvasSync.Hosting;
using CanvasSync.Security;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace CanvasSync.Canvas;

/// <summary>
/// One connection's conversation with Canvas: every request carries its token to its host only, passes its throttle
/// governor, and is classified as docs/canvas.md §2 says. What it reads (collections a page at a time) is in
/// CanvasSession.Reads.cs, its GraphQL queries in CanvasSession.GraphQL.cs.
/// </summary>
internal sealed partial class CanvasSession
{
    private readonly HttpClient _http;
    private readonly CanvasCredential _credential;
    private readonly ThrottleGovernor _governor;
    private readonly CanvasTraffic _traffic;
    private readonly ILogger _logger;
    private readonly TimeSpan _requestTimeout;
    private readonly ResiliencePipeline _retry;
    private readonly long _maxAnswerBytes;
    private readonly int _maxPagesPerCollection;
    private volatile CanvasTokenException? _deadToken;

    /// <summary>How often one request may renew (or pick up a renewed) OAuth2 token before its refusal counts.</summary>
    private const int MaxRenewalsPerRequest = 3;

    internal CanvasSession(HttpClient http, Uri origin, CanvasCredential credential, ThrottleGovernor governor, CanvasAccounting accounting,
        CanvasTraffic traffic, CanvasOptions options, int retryAttempts, int throttledRetryAttempts, ILogger logger)
    {
        _traffic = traffic;
        _http = http;
        BaseUrl = origin;
        _credential = credential;
        _governor = governor;
        Accounting = accounting;
        _logger = logger;
        _requestTimeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
        _maxAnswerBytes = options.MaxAnswerBytes;
        _maxPagesPerCollection = options.MaxPagesPerCollection;
        // Two counts, kept on the request's own context: a refusal for the rate budget is waited out (Retry-After, or
        // backoff) up to throttledRetryAttempts times, a transient failure retried up to retryAttempts times, and a
        // request tries at most once more than both together. A person waiting on a connect wants few of the second (an
        // unreachable host) and a few of the first (a budget another sync of the token just spent).
        var (throttled, failed) = (Math.Max(1, throttledRetryAttempts), Math.Max(1, retryAttempts));
        _retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception switch
            {
                CanvasThrottledException => Counted(args.Context, ThrottledSoFar) <= throttled,
                CanvasTransientException => Counted(args.Context, FailedSoFar) <= failed,
                _ => false,
            }),
            MaxRetryAttempts = throttled + failed,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(15),
            // Honour Retry-After when Canvas sends one; otherwise exponential backoff with jitter.
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is CanvasThrottledException { RetryAfter: { } after }
                ? after : (TimeSpan?)null),
            OnRetry = args =>
            {
                var cause = args.Outcome.Exception switch
                {
                    CanvasThrottledException => "throttled",
                    CanvasTransientException t => t.Cause,
                    _ => "other",
                };
                Accounting.Retry(cause);
                LogRetry(_logger, cause, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    private static readonly ResiliencePropertyKey<int> ThrottledSoFar = new("canvas-sync.throttled");
    private static readonly ResiliencePropertyKey<int> FailedSoFar = new("canvas-sync.failed");

    /// <summary>One more refusal of this cause for the request: how many so far.</summary>
    private static int Counted(ResilienceContext context, ResiliencePropertyKey<int> key)
    {
        var count = (context.Properties.TryGetValue(key, out var sofar) ? sofar : 0) + 1;
        context.Properties.Set(key, count);
        return count;
    }

    public Uri BaseUrl { get; }
    public CanvasAccounting Accounting { get; }
    public ThrottleGovernor Governor => _governor;

    /// <summary>Set once Canvas has said the token is dead; every later request fails at once with it.</summary>
    public CanvasTokenException? DeadToken => _deadToken;

    private Uri Resolve(string pathOrUrl)
    {
        var url = Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" ? absolute
            : new Uri(BaseUrl, pathOrUrl);
        return SameOrigin(url) ? url
            : throw new CanvasProtocolException($"refusing to send the token to {url.Host}: this connection's Canvas is {BaseUrl.Host}");
    }

    private bool SameOrigin(Uri url) =>
        string.Equals(url.Scheme, BaseUrl.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(url.Host, BaseUrl.Host, StringComparison.OrdinalIgnoreCase)
        && url.Port == BaseUrl.Port;

    /// <summary>
    /// One page (or, with <paramref name="postJson"/>, one POST of it: GraphQL): a request through the governor,
    /// retried when worth it, classified when not.
    /// </summary>
    private async Task<(JsonDocument Doc, Uri? Next, bool Linked)> FetchAsync(Uri url, CancellationToken cancellationToken,
        byte[]? postJson = null)
    {
        try
        {
            return await _retry.ExecuteAsync(static (state, ct) => state.Session.FetchOnceAsync(state.Url, state.PostJson, ct),
                (Session: this, Url: url, PostJson: postJson), cancellationToken);
        }
        catch (CanvasException)
        {
            Accounting.FailedRequest();
            throw;
        }
    }

    /// <summary>
    /// One request. An OAuth2 token that Canvas calls expired is renewed once and the request sent again; any other
    /// dead token (or a refused renewal) ends the session's use of it.
    /// </summary>
    private async ValueTask<(JsonDocument, Uri?, bool)> FetchOnceAsync(Uri url, byte[]? postJson, CancellationToken cancellationToken)
    {
        if (_deadToken is { } dead) throw dead;
        try
        {
            var token = await _credential.AccessTokenAsync(cancellationToken);
            for (var renewals = 0; ; renewals++)
            {
                CanvasTokenException refused;
                try
                {
                    return await SendAsync(url, token, postJson, cancellationToken);
                }
                catch (CanvasTokenException e)
                {
                    refused = e;
                }

                // Another request of this session renewed the token while this one was out (Canvas voids the old token
                // when it issues a new one), or this one waited in the governor's queue past the token's life: renew
                // and send again, a bounded number of times. Any other dead token ends the session's use of it.
                var current = await _credential.AccessTokenAsync(cancellationToken);
                if (current != token && renewals < MaxRenewalsPerRequest)
                {
                    token = current;
                    continue;
                }

                if (refused.Reason != DeadTokenReason.Expired || renewals >= MaxRenewalsPerRequest
                    || !await _credential.RenewAsync(token, cancellationToken))
                    throw refused;
                token = await _credential.AccessTokenAsync(cancellationToken);
            }
        }
        catch (CanvasTokenException e)
        {
            throw MarkDead(e);
        }
    }

    private async ValueTask<(JsonDocument, Uri?, bool)> SendAsync(Uri url, string token, byte[]? postJson,
        CancellationToken cancellationToken)
    {
        using var slot = await _governor.AcquireAsync(cancellationToken);
        Accounting.InFlight(slot.InFlightWhenAcquired);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout);
        using var request = new HttpRequestMessage(postJson is null ? HttpMethod.Get : HttpMethod.Post, url);
        if (postJson is not null)
            request.Content = new ByteArrayContent(postJson) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.AcceptEncoding.ParseAdd(BoundedAnswer.AcceptEncoding);
        Accounting.Request();

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            _traffic.NoAnswer();
            throw new CanvasTransientException("timeout", $"no answer from {url.AbsolutePath} within {_requestTimeout.TotalSeconds:0} s",
                e);
        }
        catch (HttpRequestException e) when (e.InnerException is CanvasUrlRejectedException refused)
        {
            _traffic.NoAnswer();
            throw new CanvasAddressRefusedException(refused.Message);
        }
        catch (HttpRequestException e)
        {
            _traffic.NoAnswer();
            throw new CanvasTransientException("connection", $"could not reach {url.Host}: {e.Message}", e);
        }

        using (response)
        {
            _traffic.Answered((int)response.StatusCode);
            var remaining = HeaderNumber(response, "X-Rate-Limit-Remaining");
            if (remaining is { } r) _traffic.Remaining(r);
            _governor.OnResponse(remaining);
            if (HeaderNumber(response, "X-Request-Cost") is { } cost) Accounting.Cost(cost);
            var what = $"{(int)response.StatusCode} from {url.AbsolutePath}";
            try
            {
                if (response.StatusCode != HttpStatusCode.OK)
                    throw Refusal(url, response,
                        await BoundedAnswer.ReadPrefixAsync(response.Content, BoundedAnswer.ErrorBodyBytes, what, timeout.Token));
                var (next, linked) = NextLink(url, response); // refused before the body is read, should it lead to another host
                var (doc, bytes) = await BoundedAnswer.ParseJsonAsync(response.Content, _maxAnswerBytes, what, timeout.Token);
                Accounting.ResponseBody(bytes);
                return (doc, next, linked);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CanvasTransientException("timeout", $"the answer from {url.AbsolutePath} stalled", e);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new CanvasTransientException("connection", $"the connection was cut while reading {url.AbsolutePath}", e);
            }
        }
    }

    /// <summary>Every answer but a 200 as the error to throw (<see cref="CanvasRefusals"/>), and what this session learns from
    /// it.</summary>
    private CanvasException Refusal(Uri url, HttpResponseMessage response, byte[] body)
    {
        var refusal = CanvasRefusals.Classify(url, response, body, BaseUrl);
        if (refusal is CanvasThrottledException)
        {
            _governor.OnThrottled();
            Accounting.ThrottledResponse();
            _traffic.Throttled();
        }
        else if (refusal is CanvasBadRequestException bad)
        {
            LogBadRequest(_logger, (int)response.StatusCode, url.PathAndQuery, bad.Body);
        }

        return refusal;
    }

    /// <summary>The next page, if any, and whether the answer carried any page link at all.</summary>
    private (Uri? Next, bool Linked) NextLink(Uri current, HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values)) return (null, false);
        var links = LinkHeader.Parse(values);
        if (!links.TryGetValue("next", out var next)) return (null, links.Count > 0);
        var url = new Uri(current, next);
        return SameOrigin(url) ? (url, true)
            : throw new CanvasProtocolException($"Canvas's next link points to {url.Host}; not followed, so the token stays on {BaseUrl.Host}");
    }

    private CanvasTokenException MarkDead(CanvasTokenException e)
    {
        _deadToken ??= e;
        LogDeadToken(_logger, e.Reason);
        return e;
    }

    private static double? HeaderNumber(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && double.TryParse(values.First(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture,
            out var v) ? v : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canvas request retried after {Cause} (attempt {Attempt}, waiting {DelayMs:0} ms)")]
    private static partial void LogRetry(ILogger logger, string cause, int attempt, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canvas rejected a request CanvasSync built ({Status} {PathAndQuery}): {Body}")]
    private static partial void LogBadRequest(ILogger logger, int status, string pathAndQuery, string body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canvas says the token is {Reason}: no more requests on this session")]
    private static partial void LogDeadToken(ILogger logger, DeadTokenReason reason);
}
