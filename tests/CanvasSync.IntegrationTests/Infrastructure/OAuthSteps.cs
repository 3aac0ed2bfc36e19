using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using CanvasSync.Features.OAuth;
using CanvasSync.Sandbox;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace CanvasSync.IntegrationTests.Infrastructure;

/// <summary>
/// "Connect with Canvas" as its actors do it: the operator adds the sandbox's developer key, an app starts the flow
/// through the API, the user authorizes on the sandbox's page (a plain HTTP client here; a browser in the dashboard
/// tests), and the app posts back what Canvas put on its redirect.
/// </summary>
internal static partial class OAuthSteps
{
    public static async Task AddSandboxInstanceAsync(ServiceHarness h)
    {
        using var scope = h.App.Services.CreateScope();
        var key = h.Sandbox.DeveloperKey;
        await scope.ServiceProvider.GetRequiredService<CanvasInstances>()
            .AddAsync(h.Sandbox.BaseUrl, "Sandbox Canvas", key.ClientId, key.ClientSecret,
            new Uri(h.BaseUrl, "/oauth/callback").ToString(), CancellationToken.None);
    }

    /// <summary>The sandbox's own id of the user behind a personal token.</summary>
    public static async Task<long> CanvasUserIdAsync(SandboxServer sandbox, string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{sandbox.BaseUrl}/api/v1/users/self");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public static async Task<string> StartAsync(Caller caller, string canvasUrl)
    {
        using var response = await caller.Http.PostAsJsonAsync("/api/v1/canvas/oauth/start", new { canvas_url = canvasUrl });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ServiceHarness.JsonOf(response)).GetProperty("authorize_url").GetString()!;
    }

    /// <summary>The user on Canvas's page: signs in as <paramref name="canvasUserId"/> and authorizes (or cancels). What Canvas redirected
    /// to.</summary>
    public static async Task<Dictionary<string, string>> AuthorizeAsync(string authorizeUrl, long canvasUserId, bool allow = true)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var page = await http.GetStringAsync(authorizeUrl);
        var form = HiddenInput().Matches(page).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        form["user_id"] = canvasUserId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        form["decision"] = allow ? "authorize" : "deny";
        using var accepted = await http.PostAsync(new Uri(new Uri(authorizeUrl), "/login/oauth2/accept"), new FormUrlEncodedContent(form));
        Assert.True(accepted.StatusCode == HttpStatusCode.Redirect, $"{accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync()} form {string.Join(",", form.Keys)}");
        return QueryHelpers.ParseQuery(accepted.Headers.Location!.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
    }

    public static Task<HttpResponseMessage> CallbackAsync(Caller caller, IReadOnlyDictionary<string, string> redirect) =>
        caller.Http.PostAsJsonAsync("/api/v1/canvas/oauth/callback", new
        {
            state = redirect.GetValueOrDefault("state"),
            code = redirect.GetValueOrDefault("code"),
            error = redirect.GetValueOrDefault("error"),
        });

    /// <summary>The whole flow through the API; the callback's answer.</summary>
    public static async Task<JsonElement> ConnectAsync(ServiceHarness h, Caller caller, long canvasUserId)
    {
        var redirect = await AuthorizeAsync(await StartAsync(caller, h.Sandbox.BaseUrl), canvasUserId);
        using var response = await CallbackAsync(caller, redirect);
        var body = await ServiceHarness.JsonOf(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    /// <summary>The sandbox's grants, with their current tokens (Canvas's side of the secrets).</summary>
    public static async Task<JsonElement> GrantsAsync(SandboxServer sandbox)
    {
        using var http = new HttpClient();
        return (await http.GetFromJsonAsync<JsonElement>($"{sandbox.BaseUrl}/_sandbox/oauth/grants")).Clone();
    }

    public static async Task ControlAsync(SandboxServer sandbox, string action, long? canvasUserId)
    {
        using var http = new HttpClient();
        (await http.PostAsJsonAsync($"{sandbox.BaseUrl}/_sandbox/oauth/{action}",
            new { user_id = canvasUserId })).EnsureSuccessStatusCode();
    }

    /// <summary>Every secret of the flow: the client secret, and every access and refresh token Canvas issued.</summary>
    public static async Task<List<string>> SecretsAsync(SandboxServer sandbox)
    {
        var grants = await GrantsAsync(sandbox);
        var secrets = new List<string> { sandbox.DeveloperKey.ClientSecret };
        foreach (var g in grants.GetProperty("grants").EnumerateArray())
        {
            secrets.Add(g.GetProperty("refresh_token").GetString()!);
            secrets.AddRange(g.GetProperty("issued").EnumerateArray().Select(t => t.GetString()!));
        }

        return secrets;
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([a-z_]+)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenInput();
}
