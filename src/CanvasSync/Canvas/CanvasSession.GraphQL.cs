using System.Text.Json;
using System.Text.Json.Nodes;

namespace CanvasSync.Canvas;

/// <summary>Canvas refused GraphQL to this token (docs/canvas.md §7): switched off (404), or a developer key without its scope
/// (401).</summary>
internal sealed class CanvasGraphQLRefusedException(string message) : CanvasException(message);

/// <summary>Canvas ran the query and answered with errors (HTTP 200): a limit the query broke, or a field it does not know.</summary>
internal sealed class CanvasGraphQLErrorsException(string message) : CanvasException(message);

internal sealed partial class CanvasSession
{
    public const string GraphQLPath = "/api/graphql";

    /// <summary>
    /// One GraphQL query, sent as any request is (governor, retries, renewal, the same bucket), answered with its
    /// <c>data</c>. Canvas answers errors with HTTP 200 and an <c>errors</c> array: those throw, as do the refusals of a
    /// Canvas that does not serve GraphQL to this token.
    /// </summary>
    public async Task<JsonDocument> GraphQLAsync(string query, JsonObject variables, CancellationToken ct = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["query"] = query, ["variables"] = variables });
        JsonDocument doc;
        try
        {
            (doc, _, _) = await FetchAsync(Resolve(GraphQLPath), ct, body);
        }
        catch (CanvasException e) when (e is CanvasNotFoundException or CanvasPermissionException or CanvasForbiddenException)
        {
            throw new CanvasGraphQLRefusedException(e.Message);
        }

        if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("errors", out var errors)
            && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            var message = errors[0].TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            doc.Dispose();
            // Some institutions turn GraphQL off with an error rather than a 404.
            if (message?.Contains("disabled", StringComparison.OrdinalIgnoreCase) == true)
                throw new CanvasGraphQLRefusedException($"GraphQL: {message}");
            throw new CanvasGraphQLErrorsException($"GraphQL answered with errors: {message ?? "(no message)"}");
        }

        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("data", out var data)
            || data.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw new CanvasProtocolException("GraphQL answered without data");
        }

        return doc;
    }
}
