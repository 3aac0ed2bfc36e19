using System.Text;
using System.Text.Json;
using CanvasSync.Sandbox.Json;

namespace CanvasSync.Sandbox.Http;

/// <summary>A rendered response. Bodies are rendered before the request's cost is charged, as Rack does.</summary>
internal sealed class CanvasResponse
{
    public int Status { get; init; } = 200;
    public required byte[] Body { get; init; }
    public string ContentType { get; init; } = "application/json; charset=utf-8";
    public string? Link { get; set; }
    public bool WwwAuthenticate { get; init; }

    public static CanvasResponse Json(Action<Utf8JsonWriter> write, int status = 200) =>
        new() { Status = status, Body = JsonWriterExtensions.ToJsonBytes(write) };

    public static CanvasResponse Array<T>(IEnumerable<T> items, Action<Utf8JsonWriter, T> write) => Json(w =>
    {
        w.WriteStartArray();
        foreach (var item in items) write(w, item);
        w.WriteEndArray();
    });

    public static CanvasResponse RawJson(string json, int status) => new() { Status = status, Body = Encoding.UTF8.GetBytes(json) };
}

/// <summary>Canvas's error bodies, byte for byte (docs/canvas.md §2).</summary>
internal static class CanvasErrors
{
    public static CanvasResponse Unauthenticated() => new()
    {
        Status = 401,
        WwwAuthenticate = true,
        Body = Encoding.UTF8.GetBytes("""{"status":"unauthenticated","errors":[{"message":"user authorization required"}]}"""),
    };

    public static CanvasResponse InvalidToken() => DeadToken("""{"errors":[{"message":"Invalid access token."}]}""");

    public static CanvasResponse ExpiredToken(DateTime expiredAt) => DeadToken(
        $$"""{"errors":[{"message":"Expired access token.","expired_at":"{{expiredAt:yyyy-MM-dd'T'HH:mm:ss'Z'}}"}]}""");

    public static CanvasResponse RevokedToken() => DeadToken("""{"errors":[{"message":"Revoked access token."}]}""");

    /// <summary>A permission gap on one resource: 401 without WWW-Authenticate.</summary>
    public static CanvasResponse Unauthorized() => CanvasResponse.RawJson(
        """{"status":"unauthorized","errors":[{"message":"user not authorized to perform that action"}]}""", 401);

    /// <summary>A developer key without this endpoint's scope (AccessTokenScopeError): 401 without WWW-Authenticate, the token
    /// alive.</summary>
    public static CanvasResponse InsufficientScope() =>
        CanvasResponse.RawJson("""{"errors":[{"message":"Insufficient scopes on access token."}]}""", 401);

    public static CanvasResponse NotFound() =>
        CanvasResponse.RawJson("""{"errors":[{"message":"The specified resource does not exist."}]}""", 404);

    public static CanvasResponse InvalidPage() => CanvasResponse.RawJson(
        """{"errors":[{"message":"An error occurred.","error_code":"not_found"}]}""", 404);

    public static CanvasResponse InternalError(long reportId) => CanvasResponse.RawJson(
        $$"""{"errors":[{"message":"An error occurred.","error_code":"internal_server_error"}],"error_report_id":{{reportId}}}""", 500);

    public static CanvasResponse BadRequest(string json) => CanvasResponse.RawJson(json, 400);

    public static CanvasResponse Forbidden(string json) => CanvasResponse.RawJson(json, 403);

    private static CanvasResponse DeadToken(string json) =>
        new() { Status = 401, WwwAuthenticate = true, Body = Encoding.UTF8.GetBytes(json) };
}
