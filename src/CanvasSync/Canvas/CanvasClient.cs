using System.Reflection;
using CanvasSync.Hosting;
using CanvasSync.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CanvasSync.Canvas;

/// <summary>
/// The Canvas client: a plain class over HttpClient (registered with AddHttpClient). <see cref="Open"/> binds it to
/// one connection's Canvas and token; the session does the requests.
/// </summary>
internal sealed class CanvasClient(HttpClient http, ThrottleGovernors governors, CanvasTraffic traffic, IOptions<CanvasOptions> options,
    ILogger<CanvasClient> logger)
{
    public static readonly string UserAgent = "CanvasSync/"
        + (typeof(CanvasClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0");

    /// <summary>A session for one Canvas (scheme, host and port of <paramref name="baseUrl"/>) and one personal token.</summary>
    public CanvasSession Open(Uri baseUrl, string token, CanvasAccounting? accounting = null, int? maxInFlight = null,
        int? retryAttempts = null, int? throttledRetryAttempts = null) =>
        Open(baseUrl, CanvasCredential.Fixed(token), accounting, maxInFlight, retryAttempts, throttledRetryAttempts);

    /// <summary>
    /// A session for one Canvas and one credential (a personal token, or OAuth2 tokens that refresh). Retries of a
    /// transient failure are <paramref name="retryAttempts"/> (Canvas:RetryAttempts unless given), of a rate-limit
    /// refusal <paramref name="throttledRetryAttempts"/> (the same unless given).
    /// </summary>
    public CanvasSession Open(Uri baseUrl, CanvasCredential credential, CanvasAccounting? accounting = null, int? maxInFlight = null,
        int? retryAttempts = null, int? throttledRetryAttempts = null)
    {
        var origin = new Uri(baseUrl.GetLeftPart(UriPartial.Authority));
        var o = options.Value;
        var limit = maxInFlight ?? o.MaxInFlightPerToken;
        // A session with its own cap (one request at a time, say) gets a governor of its own that starts at that cap.
        var governor = maxInFlight is null ? governors.For(origin, credential.BudgetKey, limit)
            : new ThrottleGovernor(limit, initialLimit: limit);
        var failed = retryAttempts ?? o.RetryAttempts;
        return new CanvasSession(http, origin, credential, governor, accounting ?? new CanvasAccounting(), traffic, o, failed,
            throttledRetryAttempts ?? failed, logger);
    }
}

internal static class CanvasClientServiceCollectionExtensions
{
    /// <summary>
    /// The client with its transport: no redirects (the token never follows one), pooled connections, and no automatic
    /// decompression: <see cref="BoundedAnswer"/> decompresses, counting what it inflates.
    /// </summary>
    public static IServiceCollection AddCanvasClient(this IServiceCollection services)
    {
        services.AddSingleton<ThrottleGovernors>();
        services.AddSingleton<CanvasTraffic>();
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.TryAddSingleton<CanvasUrlGuard>();
        CanvasTransport(services.AddHttpClient<CanvasClient>(http =>
        {
            http.Timeout = Timeout.InfiniteTimeSpan; // per-request timeouts are the session's, from options
            http.DefaultRequestHeaders.UserAgent.ParseAdd(CanvasClient.UserAgent);
        }));
        CanvasTransport(services.AddHttpClient<CanvasOAuthClient>(http =>
        {
            http.Timeout = Timeout.InfiniteTimeSpan; // the OAuth client times each request itself
            http.DefaultRequestHeaders.UserAgent.ParseAdd(CanvasClient.UserAgent);
        }));
        return services;
    }

    private static void CanvasTransport(IHttpClientBuilder client) =>
        client.ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
        {
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            // Every socket to a Canvas goes through the SSRF guard, whoever asked for the URL.
            ConnectCallback = services.GetRequiredService<CanvasUrlGuard>().ConnectAsync,
        });
}
