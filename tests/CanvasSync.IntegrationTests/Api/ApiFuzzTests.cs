using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Api;

/// <summary>
/// Every operation of the API's own OpenAPI document, driven with malformed path values, query values, bodies and
/// headers (wrong types, huge and deeply nested values, invalid UTF-8, lone surrogates, overflowing ids, wrong content
/// types). Not one may answer 5xx; every 4xx is a ProblemDetails, and every 400 names the field at fault.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ApiFuzzTests(PostgresServer postgres, ITestOutputHelper output)
{
    /// <summary>.NET's or CanvasSync's own names (System.Int64, CanvasSync.Features...), which a caller has no use for.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\b(System|CanvasSync|Microsoft)\.[A-Z]\w*")]
    private static partial System.Text.RegularExpressions.Regex InternalName();

    private static readonly string[] BadValues =
        ["0", "-1", "9223372036854775808", "1e400", "abc", "%00", "%F0%9F", "%ED%A0%80", "true", new string('9', 400),
            "2026-13-45T99:99:99Z", "[]"];

    /// <summary>Kestrel itself refuses a NUL in the path with a bare 400 before any of CanvasSync runs: not sent there.</summary>
    private static readonly string[] BadPathValues = BadValues.Where(v => v != "%00").ToArray();

    [Fact]
    public async Task Every_operation_answers_malformed_input_with_a_problem_never_a_5xx()
    {
        await using var h = await StartAsync("sqlite", postgres,
            ["--Security:RequestsPerSecond=100000", "--Security:RequestBurst=1000000"]);
        var admin = await h.AddUserAsync("admin", admin: true);
        (await h.ConnectCanvasAsync(admin)).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(admin.UserId))!.Status);
        using var openApi = JsonDocument.Parse(await admin.Http.GetStringAsync("/openapi/v1.json"));
        var root = openApi.RootElement;

        var failures = new List<string>();
        var sent = 0;
        foreach (var path in root.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                // Disconnecting or removing users would only end the run early; they are sent last, once.
                if (method == HttpMethod.Delete) continue;
                foreach (var (url, body, contentType, note) in Variants(root, path.Name, operation.Value))
                {
                    using var request = new HttpRequestMessage(method, url);
                    if (body is not null)
                    {
                        request.Content = new ByteArrayContent(body);
                        if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
                    }

                    request.Headers.TryAddWithoutValidation("Accept", note == "odd headers" ? "text/x-nonsense" : "application/json");
                    if (note == "odd headers") request.Headers.TryAddWithoutValidation("X-Correlation-Id", new string('x', 8000));
                    using var response = await admin.Http.SendAsync(request);
                    sent++;
                    var status = (int)response.StatusCode;
                    var text = await response.Content.ReadAsStringAsync();
                    var what = $"{method} {url} [{note}] -> {status}";
                    if (status >= 500) failures.Add($"{what}: {Shorten(text)}");
                    else if (status >= 400 && status != 429)
                    {
                        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                            failures.Add($"{what}: not a ProblemDetails ({response.Content.Headers.ContentType})");
                        else if (status == 400 && !NamesAField(text)) failures.Add($"{what}: names no field: {Shorten(text)}");
                        else if (InternalName().IsMatch(text))
                            failures.Add($"{what}: shows the framework's words or a type name: {Shorten(text)}");
                    }
                }
            }

        output.WriteLine($"{sent} requests");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} answers were wrong:\n" + string.Join('\n', failures.Take(60)));
    }

    private static bool NamesAField(string problem)
    {
        using var doc = JsonDocument.Parse(problem);
        return doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            && errors.EnumerateObject().Any();
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    /// <summary>Malformed path values, query values and bodies for one operation.</summary>
    private static IEnumerable<(string Url, byte[]? Body, string? ContentType, string Note)> Variants(JsonElement root, string template,
        JsonElement operation)
    {
        var parameters = operation.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
        var query = parameters.Where(x => x.GetProperty("in").GetString() == "query").Select(x => x.GetProperty("name").GetString()!)
            .ToList();
        string Path(string value) => System.Text.RegularExpressions.Regex.Replace(template, "{[^}]+}", value);
        var good = Path("1");

        foreach (var value in BadPathValues) yield return (Path(value), null, null, "path value");
        foreach (var name in query)
            foreach (var value in BadValues)
                yield return ($"{good}?{name}={value}", null, null, $"query {name}");
        yield return (good + "?" + string.Join('&', query.Select(q => $"{q}={q}&{q}=again")), null, null, "repeated query");
        yield return (good, null, null, "odd headers");

        if (!operation.TryGetProperty("requestBody", out var requestBody)) yield break;
        string[] raw = ["", "{", "[]", "null", "123", "\"x\"", new string('[', 10_000), "{\"a\":" + new string('{', 5000)];
        foreach (var text in raw)
            yield return (good, Encoding.UTF8.GetBytes(text), "application/json", $"body {Shorten(text)[..Math.Min(text.Length, 12)]}");
        yield return (good, [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D], "application/json", "invalid UTF-8");
        yield return (good, Encoding.UTF8.GetBytes("{}"), "text/plain", "wrong content type");
        yield return (good, Encoding.UTF8.GetBytes("a=b&c=d"), "application/x-www-form-urlencoded", "form body");
        yield return (good, Encoding.Unicode.GetBytes("{}"), "application/json; charset=utf-16", "utf-16 body");

        foreach (var property in Properties(root, requestBody))
        {
            string[] values =
            [
                "\"\\ud800\"", "{\"nested\":[1,[2,[3]]]}", "1e400", "99999999999999999999999", "-1", "true", "[]",
                "\"" + new string('x', 100_000) + "\"", "\"2026-99-99\"", "\"\"",
            ];
            // scope.course_ids is sent as {"scope":{"course_ids":value}}.
            foreach (var value in values)
                yield return (good, Encoding.UTF8.GetBytes(property.Split('.').Reverse()
                    .Aggregate(value, (inner, name) => $"{{\"{name}\":{inner}}}")),
                    "application/json", $"{property}={Shorten(value)[..Math.Min(value.Length, 16)]}");
        }
    }

    /// <summary>The request body's property paths (scope, scope.course_ids), following $ref.</summary>
    private static IEnumerable<string> Properties(JsonElement root, JsonElement requestBody)
    {
        if (!requestBody.TryGetProperty("content", out var content)) yield break;
        foreach (var media in content.EnumerateObject())
        {
            if (!media.Value.TryGetProperty("schema", out var schema)) continue;
            foreach (var name in Names(root, schema, 0, "")) yield return name;
        }
    }

    private static IEnumerable<string> Names(JsonElement root, JsonElement schema, int depth, string prefix)
    {
        if (depth > 3) yield break;
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var target = root;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/')) target = target.GetProperty(part);
            foreach (var name in Names(root, target, depth + 1, prefix)) yield return name;
            yield break;
        }

        foreach (var combinator in new[] { "anyOf", "oneOf", "allOf" })
            if (schema.TryGetProperty(combinator, out var choices))
                foreach (var choice in choices.EnumerateArray())
                    foreach (var name in Names(root, choice, depth + 1, prefix)) yield return name;
        if (!schema.TryGetProperty("properties", out var properties)) yield break;
        foreach (var property in properties.EnumerateObject())
        {
            yield return prefix + property.Name;
            foreach (var nested in Names(root, property.Value, depth + 1, prefix + property.Name + ".")) yield return nested;
        }
    }
}
