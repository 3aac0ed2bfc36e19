using System.Text;
using System.Text.Json;
using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.World;
using GraphQL;
using GraphQL.SystemTextJson;
using GraphQL.Transport;
using GraphQL.Types;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.AspNetCore.Http;

namespace CanvasSync.Sandbox.GraphQL;

/// <summary>
/// POST /api/graphql as Canvas serves it (docs/canvas.md §7): behind the same throttle, token and cost as REST (one
/// request, one reservation); every error, a broken limit included, is HTTP 200 with an <c>errors</c> array. An
/// institution may refuse it: a 404 when switched off, a 401 (no WWW-Authenticate) for a developer key without the
/// url:POST|/api/graphql scope.
/// </summary>
internal sealed class GraphQLApi(SandboxWorld world, SandboxSettings settings)
{
    public const string Path = "/api/graphql";

    /// <summary>A query body past this is refused before parsing (Canvas's proxies cap request bodies too).</summary>
    private const int MaxBodyBytes = 256 * 1024;

    private static readonly ISchema Schema = new Schema { Query = new QueryGraphType() };
    private static readonly DocumentExecuter Executer = new();
    /// <summary>graphql-ruby's answer is rendered by Rails, as REST's is: floats as Ruby writes them (90.0), strings with
    /// Rails's escapes. So a value reads the same, byte for byte, in both.</summary>
    private static readonly GraphQLSerializer Serializer = new(o =>
    {
        o.Encoder = RailsJsonEncoder.Instance;
        o.Converters.Add(new RubyFloatConverter());
    });

    /// <summary>Builds the schema and runs a first query now, so no client's first request pays for it (and reports it as Canvas
    /// time).</summary>
    public static void Warm() =>
        Executer.ExecuteAsync(new ExecutionOptions { Schema = Schema, Query = "{ __typename }" }).GetAwaiter().GetResult();

    public async Task HandleAsync(HttpContext http, CanvasPipeline pipeline)
    {
        var body = await ReadBodyAsync(http.Request);
        await pipeline.HandleAsync(http, Path, request => settings.GraphQL switch
        {
            GraphQLMode.NotFound => CanvasErrors.NotFound(),
            GraphQLMode.NoScope => CanvasErrors.InsufficientScope(),
            _ => Execute(request, body),
        });
    }

    private static async Task<string?> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private CanvasResponse Execute(CanvasRequest request, string? body)
    {
        if (body is null) return Errors("This query is too large to execute.");
        GraphQLRequest? ask;
        try
        {
            ask = Serializer.Deserialize<GraphQLRequest>(body);
        }
        catch (JsonException)
        {
            ask = null;
        }

        if (string.IsNullOrWhiteSpace(ask?.Query)) return Errors("No query string was present");
        if (QueryLimits.TooManyTokens(ask.Query)) return Errors("This query is too large to execute.");
        GraphQLDocument? document = null;
        try
        {
            document = GraphQLParser.Parser.Parse(ask.Query);
        }
        catch (GraphQLParserException)
        {
            // The executer reports the syntax error as Canvas does: 200 with errors.
        }

        if (document is not null && QueryLimits.Check(document, ask.Variables ?? Inputs.Empty) is { } broken) return Errors(broken);

        // Resolvers read the world as it is now; they are synchronous, so the read lock stays on this thread.
        using (world.Read())
        {
            var result = Executer.ExecuteAsync(new ExecutionOptions
            {
                Schema = Schema,
                Query = ask.Query,
                Document = document,
                Variables = ask.Variables,
                OperationName = ask.OperationName,
                UserContext = new GraphCaller(request),
            }).GetAwaiter().GetResult();
            return CanvasResponse.RawJson(Serializer.Serialize(result), 200);
        }
    }

    private static CanvasResponse Errors(string message) =>
        CanvasResponse.Json(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("errors");
            w.WriteStartObject();
            w.WriteString("message", message);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
}

/// <summary>A double as Ruby's Float#to_s writes it (<see cref="JsonWriterExtensions.RubyFloat"/>).</summary>
internal sealed class RubyFloatConverter : System.Text.Json.Serialization.JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) =>
        writer.WriteRawValue(JsonWriterExtensions.RubyFloat(value), skipInputValidation: true);
}
