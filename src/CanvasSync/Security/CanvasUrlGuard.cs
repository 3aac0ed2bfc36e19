using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using CanvasSync.Hosting;
using Microsoft.Extensions.Options;

namespace CanvasSync.Security;

/// <summary>A Canvas URL or address CanvasSync will not talk to; the message says why, and names no secret.</summary>
internal sealed class CanvasUrlRejectedException(string message, string code = "url_not_allowed") : Exception(message)
{
    /// <summary>The API's error code: url_not_allowed, not_a_url, or unknown_host (DNS does not know the name).</summary>
    public string Code { get; } = code;
}

/// <summary>Turns a host name into addresses. The service uses DNS; tests may map names of their own.</summary>
internal interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

internal sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var literal) ? Task.FromResult(new[] { literal }) : Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>
/// The server-side guard against SSRF. A user-supplied Canvas URL must be https (unless Canvas:AllowHttp), on an
/// allowed host (Canvas:AllowedHosts, when set), and resolve to public addresses only (unless
/// Canvas:AllowPrivateNetwork). The same check runs again on every connection the Canvas client opens
/// (<see cref="ConnectAsync"/>), so a name that resolves to a public address at connect time and a private one later
/// (DNS rebinding) is still refused.
/// </summary>
internal sealed partial class CanvasUrlGuard(IOptionsMonitor<CanvasOptions> options, IHostResolver resolver)
{
    /// <summary>A scheme: letters then a colon not followed by a digit (which would make it host:port).</summary>
    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:(?![0-9])")]
    private static partial System.Text.RegularExpressions.Regex SchemePrefix();

    /// <summary>scheme://host[:port] of a user's Canvas URL, or a rejection that says what is wrong with it.</summary>
    public Uri Normalize(string? canvasUrl)
    {
        var text = canvasUrl?.Trim() ?? "";
        if (text.Length == 0) throw new CanvasUrlRejectedException("canvas_url is required, e.g. https://canvas.example.edu");
        // "canvas.example.edu" or "canvas.example.edu:8443" alone means https://...; "file:..." or "ftp://..." keep their scheme.
        const string NotAUrl = "canvas_url is not a URL; give the address of your Canvas, e.g. https://canvas.example.edu";
        if (!SchemePrefix().IsMatch(text))
        {
            // A bare word ("not-a-url", "canvas") is a typo far more often than a host name: a bare host must have a dot.
            var host = text.Split('/', ':')[0];
            if (!host.Contains('.', StringComparison.Ordinal) && !host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
                throw new CanvasUrlRejectedException(NotAUrl, "not_a_url");
            text = "https://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)) throw new CanvasUrlRejectedException(NotAUrl, "not_a_url");
        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            throw new CanvasUrlRejectedException($"canvas_url must be an https URL, not {uri.Scheme}:");
        if (uri.Scheme == Uri.UriSchemeHttp && !options.CurrentValue.AllowHttp)
            throw new CanvasUrlRejectedException("canvas_url must use https (http is allowed only when Canvas:AllowHttp is set)");
        if (string.IsNullOrEmpty(uri.Host))
            throw new CanvasUrlRejectedException(
                "canvas_url has no host; give the address of your Canvas, e.g. https://canvas.example.edu");
        if (uri.UserInfo.Length > 0) throw new CanvasUrlRejectedException("canvas_url must not carry a user name or password");
        // DNS itself refuses longer names (and .NET's resolver throws on them): say so here, as a bad URL.
        if (uri.HostNameType == UriHostNameType.Dns && (uri.IdnHost.Length > 253 || uri.IdnHost.Split('.').Any(label => label.Length > 63)))
            throw new CanvasUrlRejectedException("canvas_url's host name is longer than DNS allows (253 characters, 63 between dots)");
        CheckAllowedHost(uri.IdnHost);
        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }

    /// <summary><see cref="Normalize"/>, then the host's addresses checked as every connection will check them.</summary>
    public async Task<Uri> CheckAsync(string? canvasUrl, CancellationToken cancellationToken)
    {
        var uri = Normalize(canvasUrl);
        await AllowedAddressesAsync(uri.IdnHost, cancellationToken);
        return uri;
    }

    /// <summary>The host's addresses, if every one may be reached; otherwise a rejection naming the first that may not.</summary>
    public async Task<IPAddress[]> AllowedAddressesAsync(string host, CancellationToken cancellationToken)
    {
        CheckAllowedHost(host);
        IPAddress[] addresses;
        try
        {
            addresses = await resolver.ResolveAsync(host.Trim('[', ']'), cancellationToken);
        }
        catch (SocketException e)
        {
            throw new CanvasUrlRejectedException($"{host} could not be resolved ({e.SocketErrorCode}); check the address", "unknown_host");
        }

        if (addresses.Length == 0) throw new CanvasUrlRejectedException($"{host} has no addresses");
        if (options.CurrentValue.AllowPrivateNetwork) return addresses;
        // One private address is enough to refuse: which one a connection would use is not ours to choose.
        var inner = addresses.FirstOrDefault(a => !NetworkAddresses.IsPublic(a));
        return inner is null ? addresses
            : throw new CanvasUrlRejectedException($"{host} resolves to {inner}, a loopback, private or reserved address; CanvasSync only connects to public Canvas servers");
    }

    /// <summary>The Canvas client's connection factory: every socket it opens goes through the address check.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await AllowedAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void CheckAllowedHost(string host)
    {
        var allowed = options.CurrentValue.AllowedHosts;
        if (allowed.Length == 0) return;
        host = host.Trim('[', ']').TrimEnd('.');
        var ok = allowed.Any(a => a.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(a[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(host, a, StringComparison.OrdinalIgnoreCase));
        if (!ok) throw new CanvasUrlRejectedException($"{host} is not among the Canvas hosts this service may connect to (Canvas:AllowedHosts)");
    }
}
