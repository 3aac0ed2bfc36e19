using System.Text.Json;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.Tasks;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>Assignments become planner tasks; the user's own task fields survive every sync.</summary>
[Collection(SecondPostgresCollection.Name)]
public sealed class TaskMappingTests(PostgresServer postgres)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Each_assignment_becomes_a_task_with_canvas_fields_mapped(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Student });
        var token = h.Sandbox.Tokens.Student;
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(token)).Status);
        var truth = await h.TruthAsync(token);
        var assignments = truth.GetProperty("assignments").EnumerateArray().ToDictionary(a => a.GetProperty("id").GetInt64());
        var courses = truth.GetProperty("courses").EnumerateArray().Where(c => c.TryGetProperty("name", out _))
            .ToDictionary(c => c.GetProperty("id").GetInt64(), c => c.GetProperty("name").GetString());

        await using var db = h.Database.Context();
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.DeletedAt == null && t.ExternalSource == "canvas").ToListAsync();
        Assert.Equal(assignments.Keys.Order(), tasks.Select(t => t.ExternalId).Order());
        foreach (var t in tasks)
        {
            var a = assignments[t.ExternalId];
            Assert.Equal(a.GetProperty("name").GetString(), t.Title);
            Assert.Equal(courses[t.ExternalCourseId], t.Subject);
            var points = a.GetProperty("points_possible");
            Assert.Equal(points.ValueKind == JsonValueKind.Null ? null : (int)Math.Round(points.GetDouble() * 3), t.EstimatedMinutes);
            var types = a.GetProperty("submission_types").EnumerateArray().Select(x => x.GetString()).ToList();
            Assert.Equal(types.Contains("online_quiz") ? TaskType.Exam : types.Contains("discussion_topic") ? TaskType.Task
                : TaskType.Assignment, t.Type);
            var sub = a.GetProperty("submission");
            var done = sub.GetProperty("excused").GetBoolean()
                || sub.GetProperty("workflow_state").GetString() is "submitted" or "graded" or "pending_review";
            Assert.Equal(done, t.Completed);
            Assert.DoesNotMatch("<[a-zA-Z/!]", t.Description ?? ""); // no markup left (a decoded "1 < 2" is text)
            Assert.DoesNotContain("alert(", t.Description ?? "", StringComparison.Ordinal); // scripts dropped
        }

        Assert.Contains(tasks, t => t.Description?.Contains("& answer", StringComparison.Ordinal) == true); // &amp; decoded
        Assert.Contains(tasks, t =>
            t.Description?.StartsWith("Lab instructions\nStep\nTime\n1 < 2\n5 min", StringComparison.Ordinal) == true); // blocks are lines
        Assert.Contains(tasks, t => t.EstimatedMinutes is null);
        Assert.Contains(tasks, t => t.Completed);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_task_the_user_marked_done_stays_done_after_a_delta_that_touches_its_assignment(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Student });
        var token = h.Sandbox.Tokens.Student;
        await h.SyncAsync(token);
        long assignmentId;
        await using (var db = h.Database.Context())
        {
            var task = await db.Tasks.OrderBy(t => t.ExternalId).FirstAsync(t => !t.Completed && t.DeletedAt == null);
            task.UserCompleted = true;
            task.UserEstimatedMinutes = 45;
            task.Notes = "did it on paper ✍️";
            assignmentId = task.ExternalId;
            await db.SaveChangesAsync();
        }

        using (var r = await h.Http.PostAsync($"{h.Sandbox.BaseUrl}/_sandbox/assignments/{assignmentId}",
                   new StringContent("""{"name":"Renamed by the teacher"}""", System.Text.Encoding.UTF8, "application/json")))
            r.EnsureSuccessStatusCode();
        var delta = await h.SyncAsync(token, SyncType.Delta);
        Assert.Equal(SyncStatus.Completed, delta.Status);
        Assert.Equal(1, delta.Counts["tasks"].Updated);

        await using (var db = h.Database.Context())
        {
            var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.ExternalId == assignmentId);
            Assert.Equal("Renamed by the teacher", task.Title);
            Assert.True(task.UserCompleted);
            Assert.Equal(45, task.UserEstimatedMinutes);
            Assert.Equal("did it on paper ✍️", task.Notes);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_planners_other_to_dos_become_tasks_but_items_that_point_at_an_assignment_do_not(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Student });
        var token = h.Sandbox.Tokens.Student;
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(token)).Status);
        var truth = await h.TruthAsync(token);
        var items = truth.GetProperty("planner_items").EnumerateArray().ToList();
        static long? AssignmentOf(JsonElement item) =>
            item.GetProperty("plannable").TryGetProperty("assignment_id", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt64()
                : null;
        // The trap: a graded quiz's item has the quiz id as plannable_id and its assignment in plannable.assignment_id.
        Assert.Contains(items, i => i.GetProperty("plannable_type").GetString() == "quiz" && AssignmentOf(i) is { } a
            && a != i.GetProperty("plannable_id").GetInt64());
        var todo = items.Where(i => i.GetProperty("plannable_type").GetString() != "assignment" && AssignmentOf(i) is null)
            .ToDictionary(i => ("planner:" + i.GetProperty("plannable_type").GetString(), i.GetProperty("plannable_id").GetInt64()));
        Assert.NotEmpty(todo);

        await using var db = h.Database.Context();
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.DeletedAt == null).ToListAsync();
        Assert.Equal(truth.GetProperty("assignments").GetArrayLength() + todo.Count, tasks.Count); // nothing twice
        var planned = tasks.Where(t => t.ExternalSource != "canvas").ToList();
        Assert.Equal(todo.Keys.Order(), planned.Select(t => (t.ExternalSource, t.ExternalId)).Order());
        foreach (var t in planned)
        {
            var item = todo[(t.ExternalSource, t.ExternalId)];
            Assert.Equal(item.GetProperty("plannable").GetProperty("title").GetString(), t.Title);
            Assert.Equal(item.GetProperty("plannable_date").GetDateTime().ToUniversalTime(), t.DueDate);
            var marked = item.GetProperty("planner_override") is { ValueKind: JsonValueKind.Object } o
                && o.GetProperty("marked_complete").GetBoolean();
            Assert.Equal(marked, t.Completed);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Groups_become_teams_with_their_members_by_name(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Student });
        var token = h.Sandbox.Tokens.Teacher;
        await h.SyncAsync(token);
        var truth = await h.TruthAsync(token);
        var memberships = truth.GetProperty("group_memberships").EnumerateArray().ToLookup(m => m.GetProperty("group_id").GetInt64());
        var names = truth.GetProperty("enrollments").EnumerateArray().Select(e => e.GetProperty("user"))
            .DistinctBy(u => u.GetProperty("id").GetInt64())
                .ToDictionary(u => u.GetProperty("id").GetInt64(), u => u.GetProperty("name").GetString());

        await using var db = h.Database.Context();
        var teams = await db.Teams.AsNoTracking().Include(t => t.Members).Where(t => t.DeletedAt == null).ToListAsync();
        Assert.Equal(truth.GetProperty("groups").GetArrayLength(), teams.Count);
        foreach (var team in teams)
        {
            var expected = memberships[team.GroupCanvasId].Select(m =>
                (m.GetProperty("user_id").GetInt64(), m.GetProperty("workflow_state").GetString())).Order();
            Assert.Equal(expected, team.Members.Select(m => (m.UserCanvasId, (string?)m.MembershipState)).Order());
            Assert.All(team.Members, m => Assert.Equal(names[m.UserCanvasId], m.Name));
            Assert.NotNull(team.CategoryName);
        }

        Assert.Contains(teams, t => t.Members.Count == 0); // empty groups are teams too
        var again = await h.SyncAsync(token, SyncType.Delta);
        Assert.Equal((0L, 0L, 0L), (again.Counts["teams"].Created, again.Counts["teams"].Updated, again.Counts["teams"].Deleted));
    }
}
