using System.Text.Json;
using System.Text.Json.Serialization;
using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.World;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CanvasSync.Sandbox.Control;

/// <summary>
/// The sandbox's control API, outside Canvas's paths (/_sandbox/...), for tests and benchmarks: mutate data as real
/// activity does (one change at a time: <see cref="ChangeApi"/>), kill tokens, change faults and throttling, read statistics and the truth.
/// </summary>
internal static class ControlApi
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void MapControl(this IEndpointRouteBuilder app, SandboxState state)
    {
        var g = app.MapGroup("/_sandbox");
        // A control call that fails says why: these are test tools, and a bare 500 hides the bug.
        g.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Results.Problem(e.ToString(), statusCode: 500, title: "sandbox control call failed");
            }
        });
        g.MapGet("/stats", () => Results.Json(state.Stats.Snapshot(state.DescribeClient), Json));
        g.MapPost("/stats/reset", () =>
        {
            state.Stats.Reset();
            return Results.NoContent();
        });
        g.MapGet("/settings", () => Results.Json(SettingsView.From(state.Settings), Json));
        g.MapPost("/settings", (SettingsView body) =>
        {
            body.ApplyTo(state.Settings);
            if (body.FaultSeed is { } seed) state.Faults.Reseed(seed);
            return Results.Json(SettingsView.From(state.Settings), Json);
        });
        g.MapPost("/buckets/reset", () =>
        {
            state.Buckets.Clear();
            return Results.NoContent();
        });

        g.MapGet("/truth", (HttpContext http) =>
        {
            if (state.UserForToken(CanvasPipeline.ReadToken(http.Request)) is not { } user)
                return Results.Problem("unknown token", statusCode: 400);
            var keepItems = http.Request.Query["items"] != "false";
            var truth = new ReferenceCrawler(state.World, state.Routes, $"{http.Request.Scheme}://{http.Request.Host}",
                state.Time).Crawl(user, keepItems);
            return Results.Bytes(JsonWriterExtensions.ToJsonBytes(truth.WriteTo), "application/json; charset=utf-8");
        });

        g.MapPost("/tokens/{action}", (string action, TokenBody body) =>
        {
            if (action == "expires_at")
                return Mutations.SetTokenExpiry(state.World, body.Token, body.ExpiresAt) ? Results.NoContent() : Results.NotFound();
            var target = action switch
            {
                "revoke" => TokenState.Revoked,
                "expire" => TokenState.Expired,
                "delete" => TokenState.Deleted,
                "restore" => TokenState.Active,
                _ => (TokenState?)null
            };
            if (target is null) return Results.Problem("action must be revoke, expire, delete, restore or expires_at", statusCode: 400);
            return Mutations.SetTokenState(state.World, body.Token, target.Value, state.Now) ? Results.NoContent() : Results.NotFound();
        });

        // OAuth2: the grants (with their tokens: this is Canvas's side, for tests), revoking and expiring them.
        g.MapGet("/oauth/grants", () => Results.Json(new
        {
            refresh_requests = state.OAuth.RefreshRequests,
            grants = state.OAuth.Grants().Select(x => new
            {
                x.ClientId,
                x.UserId,
                x.Refreshes,
                x.Revoked,
                x.CreatedAt,
                x.AccessToken,
                x.RefreshToken,
                x.Issued
            }),
        }, Json));
        g.MapPost("/oauth/revoke", (GrantBody body) => Results.Json(new { revoked = state.OAuth.Revoke(body.UserId) }, Json));
        g.MapPost("/oauth/expire", (GrantBody body) => Results.Json(new { expired = state.OAuth.ExpireAccess(body.UserId) }, Json));

        g.MapPost("/mutate", (MutateBody body) => Results.Json(Mutate(state, body), Json));
        g.MapChanges(state);
    }

    /// <summary>A batch of realistic changes, chosen deterministically by seed among live, published data.</summary>
    private static MutateResult Mutate(SandboxState state, MutateBody body)
    {
        var random = new Random(body.Seed ?? 1);
        var world = state.World;
        List<SAssignment> live;
        List<SSubmission> submissions;
        using (world.Read())
        {
            var courses = world.Courses.Values.Where(c => c.WorkflowState == "available"
                && (body.CourseIds is null || body.CourseIds.Contains(c.Id))).Select(c => c.Id).ToHashSet();
            live = world.Assignments.Values.Where(a => courses.Contains(a.CourseId) && a is { Published: true, Deleted: false })
                .OrderBy(a => a.Id).ToList();
            var liveIds = live.Where(a => a.PointsPossible > 0).Select(a => a.Id).ToHashSet();
            submissions = world.Submissions.Values.Where(s => liveIds.Contains(s.AssignmentId)).OrderBy(s => s.Id).ToList();
        }

        List<T> Pick<T>(List<T> from, int n)
        {
            var picked = from.OrderBy(_ => random.Next()).Take(n).ToList();
            foreach (var p in picked) from.Remove(p);
            return picked;
        }

        var result = new MutateResult();
        var toDelete = Pick(live, body.DeleteAssignments);
        var toUpdate = Pick(live, body.UpdateAssignments);
        foreach (var a in toUpdate) Mutations.UpdateAssignment(world, a.Id, state.Now);
        result.UpdatedAssignments.AddRange(toUpdate.Select(a => a.Id));
        var deletedIds = toDelete.Select(a => a.Id).ToHashSet();
        submissions.RemoveAll(s => deletedIds.Contains(s.AssignmentId));
        foreach (var s in Pick(submissions.Where(s => s.SubmittedAt is null).ToList(), body.SubmitSubmissions))
        {
            Mutations.Submit(world, s.Id, state.Now);
            result.SubmittedSubmissions.Add(s.Id);
        }

        var submitted = result.SubmittedSubmissions.ToHashSet();
        foreach (var s in Pick(submissions.Where(s => !submitted.Contains(s.Id)).ToList(), body.GradeSubmissions))
        {
            var points = world.Assignments[s.AssignmentId].PointsPossible ?? 10;
            Mutations.Grade(world, s.Id, Math.Round(points * random.Next(50, 101) / 100.0, 1), state.Now);
            result.GradedSubmissions.Add(s.Id);
        }

        foreach (var a in toDelete) Mutations.DeleteAssignment(world, a.Id, state.Now);
        result.DeletedAssignments.AddRange(deletedIds);
        var courseIds = live.Select(a => a.CourseId).Distinct().OrderBy(x => x).ToList();
        for (var i = 0; i < body.CreateAssignments && courseIds.Count > 0; i++)
        {
            var created = Mutations.CreateAssignment(world, courseIds[i % courseIds.Count], state.Now, $"Pop quiz {i + 1}", 10,
                state.Now.Date.AddDays(7 + i).AddHours(5).AddMinutes(59).AddSeconds(59));
            if (created is not null) result.CreatedAssignments.Add(created.Id);
        }

        return result;
    }

    internal sealed record TokenBody(string Token, DateTime? ExpiresAt = null);
    /// <summary>user_id: that user's grants; absent: everyone's.</summary>
    internal sealed record GrantBody(long? UserId);

    internal sealed record MutateBody(int? Seed, int UpdateAssignments, int CreateAssignments, int DeleteAssignments,
        int GradeSubmissions, int SubmitSubmissions, long[]? CourseIds);

    internal sealed class MutateResult
    {
        public List<long> UpdatedAssignments { get; } = [];
        public List<long> CreatedAssignments { get; } = [];
        public List<long> DeletedAssignments { get; } = [];
        public List<long> GradedSubmissions { get; } = [];
        public List<long> SubmittedSubmissions { get; } = [];
    }

    /// <summary>The settings as the control API reads and writes them; absent fields stay as they are.</summary>
    internal sealed record SettingsView(int? LatencyMs, int? CostMs, double? FaultRate, FaultKind[]? FaultKinds, int? SlowMs,
        int? FaultSeed,
        bool? ThrottleEnabled, int? ThrottleStatus, double? HighWaterMark, double? Maximum, double? OutflowPerSecond, double? UpFrontCost,
        string? ForeignLinkOrigin = null, int? AccessTokenSeconds = null,
            [property: JsonPropertyName("graphql")] GraphQLMode? GraphQL = null)
    {
        public static SettingsView From(SandboxSettings s) => new(s.LatencyMs, s.CostMs, s.FaultRate, [.. s.FaultKinds], s.SlowMs, null,
            s.Throttle.Enabled, s.Throttle.Status, s.Throttle.HighWaterMark, s.Throttle.Maximum, s.Throttle.OutflowPerSecond,
                s.Throttle.UpFrontCost,
            s.ForeignLinkOrigin, s.AccessTokenSeconds, s.GraphQL);

        public void ApplyTo(SandboxSettings s)
        {
            s.LatencyMs = LatencyMs ?? s.LatencyMs;
            s.CostMs = CostMs ?? s.CostMs;
            s.FaultRate = FaultRate ?? s.FaultRate;
            s.FaultKinds = FaultKinds ?? s.FaultKinds;
            s.SlowMs = SlowMs ?? s.SlowMs;
            s.ForeignLinkOrigin = ForeignLinkOrigin ?? s.ForeignLinkOrigin;
            s.AccessTokenSeconds = AccessTokenSeconds is > 0 ? AccessTokenSeconds.Value : s.AccessTokenSeconds;
            s.GraphQL = GraphQL ?? s.GraphQL;
            var t = s.Throttle;
            s.Throttle = t with
            {
                Enabled = ThrottleEnabled ?? t.Enabled,
                Status = ThrottleStatus ?? t.Status,
                HighWaterMark = HighWaterMark ?? t.HighWaterMark,
                Maximum = Maximum ?? t.Maximum,
                OutflowPerSecond = OutflowPerSecond ?? t.OutflowPerSecond,
                UpFrontCost = UpFrontCost ?? t.UpFrontCost,
            };
        }
    }
}
