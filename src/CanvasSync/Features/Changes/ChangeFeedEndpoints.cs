using System.Globalization;
using System.Security.Claims;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CanvasSync.Features.Changes;

/// <summary>
/// GET /api/v1/changes?since=CURSOR: what changed in the caller's mirror since a cursor, so an app keeps its own copy
/// in step. Without since, everything from the start; since=now gives no changes and the cursor of this moment (take
/// it before copying the data, then follow the feed from it).
/// </summary>
internal static class ChangeFeedEndpoints
{
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapChangeFeed(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("/api/v1", "Change feed");
        api.MapGet("/changes", ReadAsync);
        return api;
    }

    private static async Task<Results<Ok<ChangePage>, ProblemHttpResult>> ReadAsync(ClaimsPrincipal caller, CanvasSyncDbContext db,
        CancellationToken ct,
        string? since = null, int limit = 100)
    {
        if (Paging.CheckLimit(limit, MaxLimit) is { } badLimit) return badLimit;
        var cursor = since is null or "now" ? null : Parse(since);
        if (since is not null and not "now" && cursor is null)
            return Problems.Field("since", "since must be \"now\" or the next_cursor of an earlier answer");
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();

        // Versions count per connection: a cursor from a connection since purged would skip the new one's changes.
        if (cursor is not null && cursor.Value.ConnectionId != me.Id)
            return Problems.Field("since",
                "this cursor belongs to an earlier Canvas connection (it was disconnected with purge); read the feed again from the start",
                StatusCodes.Status410Gone, "cursor_expired");
        if (since == "now") return TypedResults.Ok(new ChangePage([], Format(me.Id, await ChangeFeed.NowAsync(db, me.Id, ct)), false));
        var (changes, next, more) = await ChangeFeed.ReadAsync(db, me, cursor?.Position ?? FeedPosition.Start, limit, ct);
        return TypedResults.Ok(new ChangePage(changes, Format(me.Id, next), more));
    }

    private static string Format(long connectionId, FeedPosition p) => Paging.Encode(connectionId, p.Version, p.Source, p.RowId);

    private static (long ConnectionId, FeedPosition Position)? Parse(string cursor)
    {
        if (Paging.Decode(cursor, 4) is not [var c, var v, var s, var r]) return null;
        return long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var connection)
            && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version) && version >= -1
            && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var source) && source <= ChangeFeed.Sources.Length
            && long.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var row)
                ? (connection, new FeedPosition(version, source, row))
                : null;
    }
}
