using CanvasSync.Sandbox.World;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CanvasSync.Sandbox.Control;

/// <summary>
/// One change of each kind Canvas makes (docs/canvas.md §6), for tests and benchmarks to make and then check the
/// mirror: assignment edits, publishing, overrides, bulk creation, grading and submitting; roster changes;
/// group moves, invitations and flags. Each answers with the changed record's ids, or 404.
/// </summary>
internal static class ChangeApi
{
    public static void MapChanges(this RouteGroupBuilder g, SandboxState state)
    {
        var world = state.World;
        g.MapPost("/assignments/{id:long}", (long id, AssignmentBody body) =>
            Found(body.Published is { } published
                ? Mutations.SetPublished(world, id, published, state.Now)
                : Mutations.UpdateAssignment(world, id, state.Now, body.Name, body.PointsPossible, body.DueAt, body.Description,
                    body.GradingType),
                a => new { a.Id, a.Name, a.Published }));
        g.MapDelete("/assignments/{id:long}", (long id) => Mutations.DeleteAssignment(world, id, state.Now) ? Results.NoContent()
            : Results.NotFound());
        g.MapPost("/assignments/{id:long}/override", (long id, OverrideBody body) =>
            Results.Json(new { changed = Mutations.SetOverrideDueDate(world, id, body.StudentIds, body.DueAt, state.Now) },
                ControlApi.Json));
        g.MapPost("/assignment_groups/{id:long}", (long id, GroupWeightBody body) =>
            Found(Mutations.SetGroupWeight(world, id, body.GroupWeight, state.Now), x => new { x.Id, x.GroupWeight }));
        g.MapPost("/courses/{courseId:long}/assignment_groups/reorder", (long courseId, ReorderBody body) =>
            Mutations.ReorderGroups(world, courseId, body.Order) ? Results.NoContent() : Results.NotFound());
        g.MapPost("/assignment_groups/{id:long}/reorder", (long id, ReorderBody body) =>
            Mutations.ReorderAssignments(world, id, body.Order, state.Now) ? Results.NoContent() : Results.NotFound());
        g.MapPost("/assignments/{id:long}/post", (long id) =>
            Results.Json(new { posted = Mutations.PostSubmissions(world, id, state.Now) }, ControlApi.Json));
        g.MapPost("/courses/{courseId:long}/assignments", (long courseId, AssignmentBody body) =>
        {
            // count > 1: a course copy or import, many assignments at once.
            var created = new List<long>();
            for (var i = 0; i < Math.Max(1, body.Count ?? 1); i++)
            {
                var name = body.Count is > 1 ? $"{body.Name ?? "Imported"} {i + 1}" : body.Name ?? "New assignment";
                if (Mutations.CreateAssignment(world, courseId, state.Now, name, body.PointsPossible, body.DueAt) is not { } a)
                    return Results.NotFound();
                created.Add(a.Id);
            }

            return Results.Json(new { id = created[0], ids = created }, ControlApi.Json);
        });
        g.MapPost("/ids", (IdsBody body) =>
        {
            // Real Canvas ids are often 8-17 digits (shard prefixes); new records get ids after this one.
            world.ContinueIdsAfter(body.NextAfter);
            return Results.NoContent();
        });
        g.MapPost("/submissions/{id:long}/grade", (long id, GradeBody body) =>
            Found(Mutations.Grade(world, id, body.Score, state.Now), s => new { s.Id, s.Score }));
        g.MapPost("/submissions/{id:long}/submit", (long id) =>
            Found(Mutations.Submit(world, id, state.Now), s => new { s.Id, s.WorkflowState }));

        g.MapPost("/courses/{courseId:long}/enrollments", (long courseId) =>
            Found(RosterMutations.Enroll(world, courseId, state.Now), e => new { e.Id, e.UserId }));
        g.MapPost("/enrollments/{id:long}", (long id, EnrollmentBody body) =>
            body.State is "active" or "inactive" or "completed" or "deleted"
                ? Found(RosterMutations.SetEnrollmentState(world, id, body.State, state.Now), e => new { e.Id, e.State })
                : Results.Problem("state must be active, inactive, completed or deleted", statusCode: 400));
        g.MapPost("/courses/{courseId:long}/conclude", (long courseId) =>
            Found(RosterMutations.Conclude(world, courseId, state.Now), c => new { c.Id, c.WorkflowState }));
        g.MapPost("/observers", (ObserverBody body) =>
            RosterMutations.AddObserver(world, body.ObserveeIds, state.Now) is { } o
                ? Results.Json(new { user_id = o.User.Id, token = o.Token }, ControlApi.Json) : Results.NotFound());
        g.MapPost("/courses/{courseId:long}/group_categories", (long courseId) =>
            Found(RosterMutations.AddGroupSet(world, courseId, state.Now), c => new { c.Id, c.Name }));
        g.MapPost("/memberships/{id:long}/move", (long id, MoveBody body) =>
            Found(RosterMutations.MoveMember(world, id, body.GroupId, state.Now), m => new { m.Id, m.GroupId }));
        g.MapPost("/groups/{groupId:long}/invite", (long groupId, InviteBody body) =>
            Found(RosterMutations.Invite(world, groupId, body.UserId, state.Now), m => new { m.Id, m.State }));
        g.MapPost("/memberships/{id:long}", (long id, MembershipBody body) =>
            Found(RosterMutations.UpdateMembership(world, id, body.WorkflowState, body.Moderator),
                m => new { m.Id, m.State, m.Moderator }));
    }

    private static IResult Found<T>(T? changed, Func<T, object> view) where T : class =>
        changed is null ? Results.NotFound() : Results.Json(view(changed), ControlApi.Json);

    internal sealed record AssignmentBody(string? Name, double? PointsPossible, DateTime? DueAt, string? Description,
        string? GradingType = null,
        bool? Published = null, int? Count = null);
    internal sealed record OverrideBody(long[] StudentIds, DateTime DueAt);
    internal sealed record GroupWeightBody(double GroupWeight);
    internal sealed record ReorderBody(long[] Order);
    internal sealed record IdsBody(long NextAfter);
    internal sealed record GradeBody(double Score);
    internal sealed record EnrollmentBody(string State);
    internal sealed record MoveBody(long GroupId);
    internal sealed record ObserverBody(long[] ObserveeIds);
    internal sealed record InviteBody(long UserId);
    internal sealed record MembershipBody(string? WorkflowState, bool? Moderator);
}
