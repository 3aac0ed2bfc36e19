using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CanvasSync.Hosting;

/// <summary>
/// Every error is a ProblemDetails in JSON, whatever the request's Accept says. The framework's own writer declines a
/// request that accepts no JSON (Accept: text/csv on a CSV export, or nonsense), and the service then had nothing to
/// write: a bare 400, or a 500 where a writer was required. This one, registered after it, always writes.
/// </summary>
internal sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> problemOptions,
    IOptions<JsonOptions> jsonOptions) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), jsonOptions.Value.SerializerOptions,
            "application/problem+json"));
    }

    public static IServiceCollection Register(IServiceCollection services) =>
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
}
