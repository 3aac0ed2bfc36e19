using System.Net.Http.Headers;
using System.Text.Json;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Tests.Infrastructure;

/// <summary>A sandbox Canvas on loopback, shared by a test class; tests that change its settings start their own.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public SandboxServer Sandbox { get; private set; } = null!;
    public HttpClient Http { get; } = new();

    public async Task InitializeAsync() =>
        Sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Student, Seed = 7 });

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Sandbox.DisposeAsync();
    }
}

/// <summary>Requests against a sandbox as a Canvas client would make them.</summary>
public static class CanvasHttp
{
    public static async Task<HttpResponseMessage> GetAsync(this HttpClient http, string url, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient http, string url, string? token)
    {
        using var response = await http.GetAsync(url, token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} from {url}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static string? Link(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("Link", out var v) ? string.Join(",", v) : null;

    /// <summary>rel → URL, from a Link header.</summary>
    public static Dictionary<string, string> Rels(this HttpResponseMessage response)
    {
        var result = new Dictionary<string, string>();
        if (response.Link() is not { } link) return result;
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(link,
            "<([^>]+)>; rel=\"([a-z]+)\""))
            result[m.Groups[2].Value] = m.Groups[1].Value;
        return result;
    }

    /// <summary>Every item of a collection, following rel="next" exactly as given; counts the pages.</summary>
    public static async Task<(List<JsonElement> Items, List<int> PageSizes)> GetAllAsync(this HttpClient http, string url, string token)
    {
        var items = new List<JsonElement>();
        var sizes = new List<int>();
        string? next = url;
        while (next is not null)
        {
            using var response = await http.GetAsync(next, token);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} from {next}: {body}");
            var page = JsonDocument.Parse(body).RootElement.Clone();
            items.AddRange(page.EnumerateArray());
            sizes.Add(page.GetArrayLength());
            next = response.Rels().GetValueOrDefault("next");
            Assert.True(sizes.Count < 10_000, "pagination did not end");
        }

        return (items, sizes);
    }

    public static async Task<JsonElement> TruthAsync(this HttpClient http, SandboxServer sandbox, string token, bool items = true) =>
        await http.GetJsonAsync($"{sandbox.BaseUrl}/_sandbox/truth?items={(items ? "true" : "false")}", token);

    public static async Task PostJsonAsync(this HttpClient http, string url, object body)
    {
        using var response = await http.PostAsync(url,
            new StringContent(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} from {url}: {await response.Content.ReadAsStringAsync()}");
    }

    public static IEnumerable<long> Ids(this IEnumerable<JsonElement> items) => items.Select(i => i.GetProperty("id").GetInt64());
}
