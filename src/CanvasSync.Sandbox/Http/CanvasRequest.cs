using CanvasSync.Sandbox.World;
using Microsoft.AspNetCore.Http;

namespace CanvasSync.Sandbox.Http;

/// <summary>One authenticated API request as the endpoint handlers see it.</summary>
internal sealed class CanvasRequest(HttpContext http, SandboxWorld world, SUser user, DateTime now, string? linkOrigin = null)
{
    public HttpContext Http { get; } = http;
    public SandboxWorld World { get; } = world;
    public SUser User { get; } = user;
    /// <summary>Wall-clock now, for lock dates and planner windows.</summary>
    public DateTime Now { get; } = now;
    public RailsQuery Query { get; } = RailsQuery.Parse(http.Request.QueryString.Value);
    /// <summary>scheme://host:port, as Canvas builds absolute URLs from the request host.</summary>
    public string BaseUrl { get; } = $"{http.Request.Scheme}://{http.Request.Host}";
    /// <summary>The collection's absolute URL without query, the base of pagination links.</summary>
    public string CollectionUrl => (linkOrigin ?? BaseUrl) + Http.Request.Path;

    public string Route(string name) => Http.Request.RouteValues[name]?.ToString() ?? "";

    /// <summary>A route id: a number, or sis_course_id:X for courses. Null when it names nothing.</summary>
    public long? CourseIdFromRoute()
    {
        var raw = Route("courseId");
        if (long.TryParse(raw, out var id)) return id;
        if (raw.StartsWith("sis_course_id:", StringComparison.Ordinal))
        {
            var sis = raw["sis_course_id:".Length..];
            return World.Courses.Values.FirstOrDefault(c => c.SisCourseId == sis)?.Id;
        }

        return null;
    }

    public long? IdFromRoute(string name) => long.TryParse(Route(name), out var id) ? id : null;
}
