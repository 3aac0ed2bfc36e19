using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace CanvasSync.Hosting;

/// <summary>
/// The API described: an OpenAPI document at /openapi/v1.json (made from the endpoints' typed results, so it cannot
/// drift from them) and a browsable reference at /reference. Both are public: they describe, they hold no data.
/// </summary>
internal static class ApiReference
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string PagePath = "/reference";

    public static IServiceCollection AddApiReference(this IServiceCollection services) => services.AddOpenApi("v1", o =>
    {
        o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true;
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "CanvasSync API",
                Version = "v1",
                Description = "A fast local copy of Canvas LMS data. Every call needs `Authorization: Bearer csk_...` (an API key from "
                    + "`canvas-sync users add`). JSON is snake_case; every error is a ProblemDetails, and a request's fault names its field in `errors`. "
                    + "Lists page with `limit` and the `next_cursor` of the previous page.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["api_key"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A CanvasSync API key (csk_...)",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("api_key", document)] = [] }];
            return Task.CompletedTask;
        });
    });

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        // The reference describes our API and nothing else: none of the viewer's vendor features (its AI chat "Ask AI",
        // MCP, the developer toolbar with "Generate SDK" and "Deploy", telemetry sent to the vendor).
        app.MapScalarApiReference(PagePath, o => o.WithTitle("CanvasSync API").WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableAgent().DisableMcp().HideDeveloperTools().DisableTelemetry().WithDotNetFlag(false)).AllowAnonymous();
        return app;
    }

    /// <summary>The reference page is a script application with inline set-up: it alone may run inline script and style.</summary>
    public static bool NeedsInlineScript(PathString path) => path.StartsWithSegments(PagePath, StringComparison.Ordinal);
}
