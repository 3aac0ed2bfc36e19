using System.Text.Json.Serialization;

namespace CanvasSync.Canvas.Wire;

// What the client itself reads from Canvas: who a token belongs to, and the token's own record. Each mirrored
// collection's wire type lives with that collection (Features/<Feature>/<Name>Collection.cs). Every field is nullable
// because Canvas omits keys as well as nulling them (docs/canvas.md §5).

/// <summary>An access token as GET /users/self/tokens/:token_hint shows it (the token itself is never in it).</summary>
internal sealed record CanvasAccessToken(long? Id, DateTime? ExpiresAt, string? WorkflowState);

/// <summary>A user as /users/self, /users/self/profile, an enrollment or a group's members show it.</summary>
internal sealed record CanvasUser(long Id, string? Name, string? SortableName, string? ShortName, string? PrimaryEmail = null,
    string? TimeZone = null);

/// <summary>Source-generated, snake_case, and lenient about ids sent as strings (application/json+canvas-string-ids).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CanvasUser))]
[JsonSerializable(typeof(CanvasAccessToken))]
internal sealed partial class CanvasWireContext : JsonSerializerContext;
