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
public static class ChangeFeedEndpoints
{
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapChangeFeed(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("/api/v1", "Change feed");
        api.MapGet("/changes", ReadAsync);
        return api;
    }

    private static async Task<Results<Ok<ChangePage>, ProblemHttpResult>> ReadAsync(ClaimsPrincipal caller, CanvasSyncDbContext db, CancellationToken ct,
        string? since = null, int limit = 100)
    {
        if (Paging.CheckLimit(limit, MaxLimit) is { } badLimit) return badLimit;
        FeedPosition? after = since is null ? FeedPosition.Start : since == "now" ? null : Parse(since);
        if (since is not null && since != "now" && after is null)
            return Problems.Field("since", "since must be \"now\" or the next_cursor of an earlier answer");
        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me) return CallerConnection.NotConnected();

        if (after is null) return TypedResults.Ok(new ChangePage([], Format(await ChangeFeed.NowAsync(db, me.Id, ct)), false));
        var (changes, next, more) = await ChangeFeed.ReadAsync(db, me, after.Value, limit, ct);
        return TypedResults.Ok(new ChangePage(changes, Format(next), more));
    }

    private static string Format(FeedPosition p) => Paging.Encode(p.Version, p.Source, p.RowId);

    private static FeedPosition? Parse(string cursor)
    {
        if (Paging.Decode(cursor, 3) is not [var v, var s, var r]) return null;
        return long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version) && version >= -1
            && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var source) && source <= ChangeFeed.Sources.Length
            && long.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var row)
                ? new FeedPosition(version, source, row)
                : null;
    }
}
