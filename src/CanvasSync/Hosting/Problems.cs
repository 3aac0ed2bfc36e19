using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace CanvasSync.Hosting;

/// <summary>The API's error shapes: every error a ProblemDetails, a request's fault naming its field in "errors".</summary>
internal static class Problems
{
    /// <summary>A problem with one field at fault, and an optional stable code for programs.</summary>
    public static ProblemHttpResult Field(string field, string message, int status = StatusCodes.Status400BadRequest, string? code = null,
        string title = "The request is not valid")
    {
        var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = status,
            Title = title,
            Detail = message
        };
        if (code is not null) problem.Extensions["code"] = code;
        return TypedResults.Problem(problem);
    }

    /// <summary>For middleware that answers before any endpoint runs (authentication, rate limiting).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
