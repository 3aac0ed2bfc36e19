using System.Text.RegularExpressions;
using CanvasSync.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace CanvasSync.Hosting;

/// <summary>
/// A request the framework cannot bind (course_id=abc, a malformed date, broken JSON) becomes a 400 ProblemDetails
/// that names the field, like every other validation error. Endpoint parameters are the camelCase of their snake_case
/// query names, which is how the field is recovered from the framework's message.
/// </summary>
internal sealed partial class BindingProblems(IProblemDetailsService problems) : IExceptionHandler
{
    [GeneratedRegex("""parameter "(?<type>[^"]+?) (?<name>\w+)"(?: from "(?<value>[^"]*)")?""")]
    private static partial Regex Parameter();

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || http.Response.HasStarted) return false;
        var match = Parameter().Match(bad.Message);
        var json = bad.InnerException as System.Text.Json.JsonException;
        var body = bad.Message.Contains("request body", StringComparison.Ordinal) || json is not null;
        // The JSON path names the field ($.scope.course_ids[0] is scope.course_ids); the framework's own words, which
        // name CanvasSync's types, never reach the caller.
        // Broken JSON (System.Text.Json's reader failed; its exception type is internal) is the body's fault, not a field's.
        var broken = json?.InnerException?.GetType().Name == "JsonReaderException";
        var inBody = !broken && json?.Path is { Length: > 1 } path ? JsonIndex().Replace(path.TrimStart('$').TrimStart('.'), "") : null;
        var field = body ? inBody is { Length: > 0 } ? inBody : "body" : match.Success ? SnakeCase.From(match.Groups["name"].Value)
            : "request";
        var message = body
            ? inBody is { Length: > 0 }
                ? $"{field} has the wrong type (or the body is not valid JSON there)" : "the body is not valid JSON for this request"
            : match.Success
                ? $"{field} must be {Expected(match.Groups["type"].Value)}" + (match.Groups["value"].Success ? "" : " and is required")
                : "the request is not valid";
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = bad.StatusCode,
                Title = "The request is not valid",
                Detail = message,
            },
            Exception = exception,
        });
    }

    [GeneratedRegex(@"\[\d*\]")]
    private static partial Regex JsonIndex();

    private static string Expected(string type) =>
        (type.StartsWith("Nullable<", StringComparison.Ordinal) ? type[9..^1] : type.TrimEnd('?')) switch
        {
            "int" or "long" => "a whole number",
            "DateTime" or "DateTimeOffset" => "a date and time in ISO 8601 (e.g. 2026-09-01T00:00:00Z)",
            "bool" => "true or false",
            "double" => "a number",
            var other => "a valid " + other,
        };
}
