using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace CanvasSync.Sandbox.Tests.Infrastructure;

/// <summary>
/// A query to the sandbox's /api/graphql, answered with its status, body and headers (Canvas answers most errors as
/// 200).
/// </summary>
internal static class SandboxGraph
{
    public static async Task<(int Status, JsonElement Json, HttpResponseHeaders Headers)> GraphAsync(SandboxServer sandbox, string token,
        string query, object? variables = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{sandbox.BaseUrl}/api/graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query, variables }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(body).RootElement.Clone(), response.Headers);
    }
}
