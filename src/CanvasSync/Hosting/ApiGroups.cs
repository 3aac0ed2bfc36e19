using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CanvasSync.Hosting;

/// <summary>How every API route group starts: the per-user rate limit, an OpenAPI tag, and the problems it may answer.</summary>
internal static class ApiGroups
{
    /// <summary>
    /// A group under <paramref name="prefix"/> that declares 400 (a field at fault), 401 (no or a revoked key), 409 (no
    /// Canvas connection) and 429 (rate limit), so the OpenAPI document lists them for every endpoint.
    /// </summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app, string prefix, string tag)
    {
        var group = app.MapGroup(prefix).RequireRateLimiting("per-user").WithTags(tag);
        group.ProducesValidationProblem();
        group.ProducesProblem(StatusCodes.Status401Unauthorized);
        group.ProducesProblem(StatusCodes.Status409Conflict);
        group.ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }
}
