using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.World;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace CanvasSync.Sandbox.Http;

internal delegate CanvasResponse CanvasHandler(CanvasRequest request);

/// <summary>
/// Every /api request goes through the layers real Canvas puts in front of a controller, in the same order:
/// network latency, the proxy (which may fail with HTML), the throttle (before authentication, keyed by token),
/// authentication, the controller, the request's cost, then the throttle headers.
/// </summary>
internal sealed class CanvasPipeline(SandboxWorld world, SandboxSettings settings, Buckets buckets, FaultInjector faults,
    SandboxStats stats, TimeProvider time)
{
    private long _errorReportId = 10_000;

    public async Task HandleAsync(HttpContext http, string endpoint, CanvasHandler handler)
    {
        var token = ReadToken(http.Request);
        var clientKey = token is null ? "ip:" + http.Connection.RemoteIpAddress : "token:" + token;
        stats.Begin(endpoint, clientKey, http.Request.Headers.UserAgent.ToString());
        var status = 0;
        long bytes = 0;
        try
        {
            var ct = http.RequestAborted;
            var halfLatency = TimeSpan.FromMilliseconds(settings.LatencyMs / 2.0);
            if (halfLatency > TimeSpan.Zero) await Task.Delay(halfLatency, time, ct);

            var fault = faults.Roll(settings);
            if (fault is not null) stats.Fault(fault.Value);
            if (fault is FaultKind.BadGateway502 or FaultKind.Unavailable503 or FaultKind.GatewayTimeout504)
            {
                (status, bytes) = await WriteProxyErrorAsync(http, fault.Value);
                return;
            }

            var throttle = settings.Throttle;
            var bucket = buckets.For(clientKey);
            var count = bucket.Increment(throttle.UpFrontCost, throttle);
            if (throttle.Enabled && count >= throttle.HighWaterMark)
            {
                // Refused before the controller runs; the reservation is given back (a refusal costs ~0).
                bucket.Increment(-throttle.UpFrontCost, throttle);
                stats.Throttled();
                (status, bytes) = await WriteThrottledAsync(http, throttle.Status, halfLatency);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            var response = Authenticate(http, token, out var user)
                ?? handler(new CanvasRequest(http, world, user!, time.GetUtcNow().UtcDateTime, settings.ForeignLinkOrigin));
            if (fault == FaultKind.Internal500) response = CanvasErrors.InternalError(Interlocked.Increment(ref _errorReportId));
            if (settings.CostMs > 0) await Task.Delay(settings.CostMs, ct);
            if (fault == FaultKind.Slow) await Task.Delay(settings.SlowMs, ct);

            // Cost = time the server spent on it (user cpu + db in Canvas), charged after the request.
            var cost = Stopwatch.GetElapsedTime(started).TotalSeconds - (fault == FaultKind.Slow ? settings.SlowMs / 1000.0 : 0);
            count = bucket.Increment(cost - throttle.UpFrontCost, throttle);
            stats.Charged(cost);
            http.Response.Headers["X-Request-Cost"] = JsonWriterExtensions.RubyFloat(cost);
            http.Response.Headers["X-Rate-Limit-Remaining"] = JsonWriterExtensions.RubyFloat(throttle.HighWaterMark - count);
            http.Response.Headers["X-Runtime"] = Stopwatch.GetElapsedTime(started)
                .TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture);
            if (halfLatency > TimeSpan.Zero) await Task.Delay(halfLatency, time, ct);
            (status, bytes) = await WriteAsync(http, response, fault);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            status = 499; // the client went away
        }
        finally
        {
            stats.End(clientKey, status, bytes);
        }
    }

    /// <summary>Bearer header first, then the access_token query parameter (authentication_methods.rb).</summary>
    public static string? ReadToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        var q = request.Query["access_token"].ToString();
        return q.Length > 0 ? q : null;
    }

    private CanvasResponse? Authenticate(HttpContext http, string? token, out SUser? user)
    {
        user = null;
        if (token is null) return CanvasErrors.Unauthenticated();
        using (world.Read())
        {
            if (!world.Tokens.TryGetValue(token, out var t) || t.State == TokenState.Deleted) return CanvasErrors.InvalidToken();
            // A token past its expires_at is expired, whatever its state says (AccessToken#expired? in canvas-lms).
            if (t.State == TokenState.Expired || (t.ExpiresAt is { } expires && expires < time.GetUtcNow().UtcDateTime))
                return CanvasErrors.ExpiredToken(t.ExpiresAt ?? world.Anchor);
            if (t.State == TokenState.Revoked) return CanvasErrors.RevokedToken();
            user = world.Users[t.UserId];
            http.Items["sandbox.user"] = user;
            return null;
        }
    }

    private static async Task<(int, long)> WriteAsync(HttpContext http, CanvasResponse response, FaultKind? fault)
    {
        var res = http.Response;
        res.StatusCode = response.Status;
        res.ContentType = response.ContentType;
        res.Headers.CacheControl = "max-age=0, private, must-revalidate";
        res.Headers["X-Request-Context-Id"] = Guid.NewGuid().ToString();
        if (response.WwwAuthenticate) res.Headers.WWWAuthenticate = "Bearer realm=\"canvas-lms\"";
        if (response.Link is not null) res.Headers["Link"] = response.Link;
        if (response.Status == 200) res.Headers.ETag = $"W/\"{Fnv1a(response.Body):x16}\"";

        var body = response.Body;
        if (body.Length > 1024 && http.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            body = Gzip(body);
            res.Headers.ContentEncoding = "gzip";
            res.Headers.Vary = "Accept-Encoding";
        }

        // A complete HTTP response whose JSON stops halfway (a broken proxy or cache).
        if (fault == FaultKind.TruncatedJson && response.Status == 200) body = body.AsSpan(0, body.Length / 2).ToArray();
        res.ContentLength = body.Length;
        if (fault != FaultKind.CutMidBody)
        {
            await res.Body.WriteAsync(body, http.RequestAborted);
            return (response.Status, body.Length);
        }

        // The connection dies halfway through the body: the client sees a short read.
        await res.Body.WriteAsync(body.AsMemory(0, body.Length / 2), http.RequestAborted);
        await res.Body.FlushAsync(http.RequestAborted);
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Abort();
        return (response.Status, body.Length / 2);
    }

    private async Task<(int, long)> WriteThrottledAsync(HttpContext http, int status, TimeSpan halfLatency)
    {
        if (halfLatency > TimeSpan.Zero) await Task.Delay(halfLatency, time, http.RequestAborted);
        var text = status == 429 ? "429 Too Many Requests (Rate Limit Exceeded)\n" : "403 Forbidden (Rate Limit Exceeded)\n";
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers["X-Rate-Limit-Remaining"] = "0.0";
        var bytes = Encoding.UTF8.GetBytes(text);
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        return (status, bytes.Length);
    }

    private static async Task<(int, long)> WriteProxyErrorAsync(HttpContext http, FaultKind kind)
    {
        var (status, html) = kind switch
        {
            FaultKind.BadGateway502 => (502, FaultInjector.NginxBadGateway),
            FaultKind.Unavailable503 => (503, FaultInjector.ServiceUnavailable),
            _ => (504, FaultInjector.GatewayTimeout),
        };
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html";
        var bytes = Encoding.UTF8.GetBytes(html);
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        return (status, bytes.Length);
    }

    private static byte[] Gzip(byte[] body)
    {
        using var output = new MemoryStream(body.Length / 4);
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(body);
        return output.ToArray();
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in data) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }
}
