using System.Security.Claims;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Calendar;

internal sealed record CalendarFeedView(string IcsUrl, DateTime CreatedAt, string Revoke);

/// <summary>
/// /api/v1/calendar: the caller's feed URL (made on first ask) and its revocation; and the feed itself at
/// /calendar/feed.ics?token=..., which calendar apps fetch without an API key. The token rides in the query string, not
/// the path, so that it stays out of the request-path scope every log line of a request carries.
/// </summary>
internal static class CalendarEndpoints
{
    public const string FeedPath = "/calendar/feed.ics";

    public static IEndpointRouteBuilder MapCalendar(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("/api/v1", "Calendar");
        api.MapGet("/calendar", GetAsync);
        api.MapDelete("/calendar", RevokeAsync).ProducesProblem(StatusCodes.Status404NotFound);

        // Rate-limited by address (nobody is signed in); an unknown token is the same 404 as a revoked one.
        app.MapGet(FeedPath, FeedAsync).AllowAnonymous().RequireRateLimiting("per-user").ExcludeFromDescription();
        return app;
    }

    private static async Task<Ok<CalendarFeedView>> GetAsync(ClaimsPrincipal caller, HttpContext http, CanvasSyncDbContext db,
        CalendarFeeds feeds, CancellationToken ct)
    {
        var (token, createdAt) = await feeds.GetOrCreateAsync(db, caller.UserId(), ct);
        var url = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{FeedPath}?token={Uri.EscapeDataString(token)}";
        return TypedResults.Ok(new CalendarFeedView(url, createdAt,
            "DELETE /api/v1/calendar revokes this URL; the next GET makes a new one"));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        CancellationToken ct) =>
        await CalendarFeeds.RevokeAsync(db, caller.UserId(), ct) ? TypedResults.NoContent()
            : TypedResults.Problem("there is no calendar feed to revoke", statusCode: StatusCodes.Status404NotFound);

    /// <summary>
    /// Read on a context of its own: the caller is a calendar app with no user behind it, so the request's row-level
    /// security user is nobody; the token says whose rows to read.
    /// </summary>
    private static async Task<IResult> FeedAsync(string? token, [FromServices] IDbContextFactory<CanvasSyncDbContext> contexts,
        TimeProvider time, HttpContext http, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        var userId = await CalendarFeeds.FindUserAsync(db, token, ct);
        if (userId is null) return TypedResults.Problem("no such calendar feed (the URL may have been revoked)",
            statusCode: StatusCodes.Status404NotFound);
        var connection = await db.Connections.AsNoTracking().Where(c => c.UserId == userId)
            .Select(c => new { Own = new OwnConnection(c.Id, c.CanvasUserId, c.BaseUrl), c.CanvasUserName }).FirstOrDefaultAsync(ct);
        var ics = connection is null
            ? CalendarWriter.WriteEmpty()
            : await CalendarWriter.WriteAsync(db, connection.Own, $"Canvas: {connection.CanvasUserName}", time.GetUtcNow().UtcDateTime, ct);
        http.Response.Headers.CacheControl = "private, max-age=300";
        return TypedResults.Text(ics, "text/calendar; charset=utf-8");
    }
}
