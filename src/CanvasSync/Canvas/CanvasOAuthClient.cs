using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CanvasSync.Security;
using Microsoft.AspNetCore.WebUtilities;

namespace CanvasSync.Canvas;

/// <summary>A developer key as the token endpoint wants it.</summary>
internal sealed record OAuthClientKey(string ClientId, string ClientSecret);

/// <summary>Canvas's token response (lib/canvas/oauth/token.rb as_json): refresh_token only on the code exchange.</summary>
internal sealed record OAuthTokens(string AccessToken, string? RefreshToken, long CanvasUserId, string CanvasUserName, TimeSpan? ExpiresIn);

/// <summary>
/// The token endpoint said no, as {"error", "error_description"} (lib/canvas/oauth/request_error.rb): an unknown or
/// used code, a refresh token Canvas no longer knows (a revoked grant), a wrong client secret.
/// </summary>
internal sealed class CanvasOAuthException(int status, string error, string description)
    : CanvasException($"Canvas refused the OAuth2 request ({status} {error}: {description})")
{
    public int Status { get; } = status;
    public string Error { get; } = error;
    public string Description { get; } = description;
}

/// <summary>
/// Canvas's OAuth2 endpoints (/login/oauth2/auth, /login/oauth2/token): the authorization URL, the code exchange, the
/// refresh and the revocation. Same transport as the API client: the SSRF guard on every socket, no redirects. Request
/// bodies carry secrets and are never logged.
/// </summary>
internal sealed class CanvasOAuthClient(HttpClient http)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Where to send the browser. PKCE (S256) is in Canvas since 2024 (lib/canvas/oauth/pkce.rb); older Canvas ignores
    /// it.</summary>
    public static Uri AuthorizeUrl(Uri baseUrl, string clientId, string redirectUri, string state, string codeChallenge) =>
        new(QueryHelpers.AddQueryString(new Uri(baseUrl, "/login/oauth2/auth").ToString(), new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirectUri,
            ["state"] = state,
            ["code_challenge"] = codeChallenge,
            ["code_challenge_method"] = "S256",
        }));

    /// <summary>RFC 7636: the challenge is base64url(SHA-256(verifier)) without padding.</summary>
    public static string CodeChallenge(string verifier) => WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public Task<OAuthTokens> ExchangeCodeAsync(Uri baseUrl, OAuthClientKey key, string code, string redirectUri, string codeVerifier,
        CancellationToken ct) =>
        TokenAsync(baseUrl, key, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier,
        }, ct);

    /// <summary>A new access token for the grant. Canvas regenerates the access token, so the previous one stops working.</summary>
    public Task<OAuthTokens> RefreshAsync(Uri baseUrl, OAuthClientKey key, string refreshToken, CancellationToken ct) =>
        TokenAsync(baseUrl, key, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, ct);

    /// <summary>DELETE /login/oauth2/token with the access token: Canvas deletes it and its refresh token.</summary>
    public async Task RevokeAsync(Uri baseUrl, string accessToken, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri(baseUrl, "/login/oauth2/token"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await SendAsync(request, ct);
        if (response.IsSuccessStatusCode) return;
        var body = await BodyAsync(response, ct);
        throw (int)response.StatusCode == 401 && response.Headers.WwwAuthenticate.Count > 0
            ? new CanvasTokenException(body.Contains("Expired", StringComparison.OrdinalIgnoreCase) ? DeadTokenReason.Expired
                : DeadTokenReason.Invalid, null,
                "Canvas did not accept the access token to revoke it")
            : Refusal(response, body);
    }

    private async Task<OAuthTokens> TokenAsync(Uri baseUrl, OAuthClientKey key, Dictionary<string, string> form, CancellationToken ct)
    {
        form["client_id"] = key.ClientId;
        form["client_secret"] = key.ClientSecret;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "/login/oauth2/token"))
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await SendAsync(request, ct);
        var body = await BodyAsync(response, ct);
        if (!response.IsSuccessStatusCode) throw Refusal(response, body);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var user = root.GetProperty("user");
            return new OAuthTokens(
                root.GetProperty("access_token").GetString() ?? throw new JsonException("access_token is null"),
                root.TryGetProperty("refresh_token", out var refresh) ? refresh.GetString() : null,
                user.GetProperty("id").GetInt64(),
                user.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "",
                root.TryGetProperty("expires_in", out var expires) && expires.ValueKind == JsonValueKind.Number
                    ? TimeSpan.FromSeconds(expires.GetDouble()) : null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // The body holds tokens: the message names only what was wrong with it.
            throw new CanvasProtocolException($"Canvas's token endpoint answered {(int)response.StatusCode} with a body CanvasSync cannot read ({e.GetType().Name})");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        var path = request.RequestUri!.AbsolutePath;
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new CanvasTransientException("timeout", $"no answer from {path} within {RequestTimeout.TotalSeconds:0} s", e);
        }
        catch (HttpRequestException e) when (e.InnerException is CanvasUrlRejectedException refused)
        {
            throw new CanvasAddressRefusedException(refused.Message);
        }
        catch (HttpRequestException e)
        {
            throw new CanvasTransientException("connection", $"could not reach {request.RequestUri.Host}: {e.Message}", e);
        }

        var status = (int)response.StatusCode;
        if (status is 408 or >= 500)
        {
            response.Dispose();
            throw new CanvasTransientException("server_error", $"{status} from {path}");
        }

        return response;
    }

    /// <summary>
    /// The answer's text: Canvas's token answers and errors are a few hundred bytes, so only the first
    /// <see cref="BoundedAnswer.ErrorBodyBytes"/> are read, within the request timeout.
    /// </summary>
    private static async Task<string> BodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        var path = response.RequestMessage?.RequestUri?.AbsolutePath;
        try
        {
            return Encoding.UTF8.GetString(await BoundedAnswer.ReadPrefixAsync(response.Content,
                BoundedAnswer.ErrorBodyBytes, $"{(int)response.StatusCode} from {path}", timeout.Token));
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new CanvasTransientException("timeout", $"the answer from {path} stalled", e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new CanvasTransientException("connection", $"the connection was cut while reading {path}", e);
        }
    }

    /// <summary>
    /// Canvas's JSON error; or, behind the old behaviour (feature no_redirect_on_oauth_token_method off), a redirect
    /// whose query carries error and error_description. The redirect is read, never followed.
    /// </summary>
    private static CanvasException Refusal(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status is >= 300 and < 400 && response.Headers.Location is { } location)
        {
            var query = QueryHelpers.ParseQuery(new Uri(response.RequestMessage!.RequestUri!, location).Query);
            return new CanvasOAuthException(status, query.TryGetValue("error", out var e) ? e.ToString() : "redirected",
                query.TryGetValue("error_description", out var d) ? d.ToString() : "Canvas redirected instead of answering");
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("error", out var error))
                return new CanvasOAuthException(status, error.GetString() ?? "",
                    doc.RootElement.TryGetProperty("error_description", out var d) ? d.GetString() ?? "" : "");
            if (doc.RootElement.TryGetProperty("message", out var message))
                return new CanvasOAuthException(status, "invalid_request", message.GetString() ?? "");
        }
        catch (JsonException)
        {
            // Not Canvas's JSON (a proxy page): said as such below.
        }

        return status == (int)HttpStatusCode.NotFound
            ? new CanvasNotFoundException($"{status} from {response.RequestMessage?.RequestUri?.AbsolutePath}: this Canvas has no OAuth2 endpoint there")
            : new CanvasProtocolException($"{status} from {response.RequestMessage?.RequestUri?.AbsolutePath}: not an OAuth2 answer");
    }
}
