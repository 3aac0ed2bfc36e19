using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.RateLimiting;
using CanvasSync.Features.Accounts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CanvasSync.Hosting;

/// <summary>What every response gets: a correlation id, security headers, and a per-user rate limit.</summary>
internal static partial class HttpHardening
{
    public const string CorrelationHeader = "X-Correlation-Id";

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SafeCorrelationId();

    public static IServiceCollection AddHttpHardening(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy<string>("per-user", context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
                // Signed-in callers are limited per user; anyone else (an invalid key, no key, the sign-in form) per
                // address, and harder: keys cannot be guessed at speed.
                if (context.User.Identity?.IsAuthenticated != true) return Anonymous(context, limits);
                return RateLimitPartition.GetTokenBucketLimiter("user:" + context.User.UserId(), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.RequestBurst,
                    TokensPerPeriod = limits.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });

            o.OnRejected = async (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
                    ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests,
                    "Too many requests", $"slow down: try again in {retryAfter} s");
            };
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            if (context.HttpContext.Items[CorrelationHeader] is string id) context.ProblemDetails.Extensions["correlation_id"] = id;
        });
        ProblemJsonWriter.Register(services);
        // Binding failures throw, so BindingProblems can name the field instead of the framework's bare 400.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BindingProblems>();
        return services;
    }

    /// <summary>
    /// Callers without a valid key or session, per client address (the proxy's client, where Security:TrustedProxies
    /// names the proxy): a minute's worth of Security:AnonymousRequestsPerMinute at most, refilled each second.
    /// </summary>
    private static RateLimitPartition<string> Anonymous(HttpContext context, SecurityOptions limits) =>
        RateLimitPartition.GetTokenBucketLimiter("ip:" + context.Connection.RemoteIpAddress, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.AnonymousRequestsPerMinute,
            TokensPerPeriod = Math.Max(1, limits.AnonymousRequestsPerMinute / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>
    /// Behind a reverse proxy named in Security:TrustedProxies: the client's address and scheme from its
    /// X-Forwarded-For and X-Forwarded-Proto (a header from anyone else is ignored), then HSTS on https.
    /// </summary>
    public static IServiceCollection AddReverseProxySupport(this IServiceCollection services, string[] trustedProxies)
    {
        var networks = trustedProxies.Select(proxy =>
            System.Net.IPNetwork.TryParse(proxy, out var network) ? network
            : System.Net.IPAddress.TryParse(proxy, out var address)
                ? new System.Net.IPNetwork(address, address.GetAddressBytes().Length * 8)
            : throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions),
                [$"Security:TrustedProxies: \"{proxy}\" is not an IP address or CIDR range (e.g. 10.0.0.0/8)"])).ToList();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var network in networks) o.KnownIPNetworks.Add(network);
        });
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        return services;
    }

    /// <summary>
    /// A page whose form leads on to another site (Connect with Canvas answers with a redirect to Canvas): browsers
    /// hold that redirect to the page's form-action, so those origins join 'self' for this response only.
    /// </summary>
    public static void AllowFormsTo(HttpContext context, IEnumerable<string> origins)
    {
        var extra = string.Join(' ', origins.Select(o => new Uri(o).GetLeftPart(UriPartial.Authority)).Distinct());
        if (extra.Length == 0) return;
        context.Response.Headers.ContentSecurityPolicy = context.Response.Headers.ContentSecurityPolicy.ToString()
            .Replace("form-action 'self'", "form-action 'self' " + extra, StringComparison.Ordinal);
    }

    /// <summary>
    /// A correlation id for the request (the caller's X-Correlation-Id if it is a plain token, else a new one), echoed
    /// in the response and put in the logging scope so every log line of the request carries it; then the headers
    /// that keep pages out of frames and browsers from guessing content types.
    /// </summary>
    public static IApplicationBuilder UseHttpHardening(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var given = context.Request.Headers[CorrelationHeader].ToString();
        var id = SafeCorrelationId().IsMatch(given) ? given : Activity.Current?.TraceId.ToHexString() ?? Guid.NewGuid().ToString("N");
        context.Items[CorrelationHeader] = id;
        var headers = context.Response.Headers;
        headers[CorrelationHeader] = id;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = ApiReference.NeedsInlineScript(context.Request.Path)
            ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            : "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CanvasSync.Http");
        using (logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = id }))
            await next(context);
    });
}
