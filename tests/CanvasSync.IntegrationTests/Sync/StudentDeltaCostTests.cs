using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Features.Planner;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>
/// What a student's GraphQL delta costs (docs/benchmarks.md): the query, then per changed course its assignments (the
/// student's own rows come embedded), the course list when a course's own row may have moved, and one planner listing
/// for all the changed courses. That every change kind leaves the mirror equal to Canvas is DeltaChangeTests' job.
/// </summary>
[Collection(SecondPostgresCollection.Name)]
public sealed class StudentDeltaCostTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_quiet_students_delta_is_one_graphql_query(string provider)
    {
        await using var h = await SyncHarness.SyncedAsync(provider, postgres, s => s.Tokens.Student);
        var token = h.Sandbox.Tokens.Student;
        await h.ResetCanvasStatsAsync();

        var delta = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal(SyncStatus.Completed, delta.Status);
        // Who-am-I too was asked by the full sync, lately enough (ProvenTokens).
        Assert.Equal(new Dictionary<string, long> { ["/api/graphql"] = 1 }, await h.CanvasEndpointsAsync());
        Assert.Equal(1, delta.Requests);
        Assert.Equal(DeltaSources.GraphQL, delta.DeltaSource);
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_submission_that_moves_no_grade_reads_neither_the_roster_nor_the_course_list(string provider)
    {
        await using var h = await SyncHarness.SyncedAsync(provider, postgres, s => s.Tokens.Student);
        var token = h.Sandbox.Tokens.Student;
        var before = await h.TruthAsync(token);
        var published = SyncHarness.Truth(before, "assignments").Values.Select(a => JsonDocument.Parse(a).RootElement)
            .Where(a => a.GetProperty("published").GetBoolean()).Select(a => a.GetProperty("id").GetInt64()).ToHashSet();
        var open = SyncHarness.Truth(before, "submissions").Values.Select(s => JsonDocument.Parse(s).RootElement)
            .First(s => s.GetProperty("workflow_state").GetString() == "unsubmitted"
                && published.Contains(s.GetProperty("assignment_id").GetInt64()));
        using (var submitted = await h.Http.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/submissions/{open.GetProperty("id").GetInt64()}/submit", new { }))
            submitted.EnsureSuccessStatusCode();
        await h.ResetCanvasStatsAsync();

        var delta = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));

        // The query's own grades are the mirror's: the assignments (embedding the row) and the planner are read; the
        // enrollment and the course's total scores are not.
        Assert.Equal(SyncStatus.Completed, delta.Status);
        Assert.Equal(new Dictionary<string, long>
        {
            ["/api/graphql"] = 1,
            ["/api/v1/courses/{courseId}/assignments"] = 1,
            ["/api/v1/planner/items"] = 1,
        }, await h.CanvasEndpointsAsync());
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_grade_reads_only_its_course_and_leaves_the_mirror_equal_to_canvas(string provider)
    {
        await using var h = await SyncHarness.SyncedAsync(provider, postgres, s => s.Tokens.Student);
        var token = h.Sandbox.Tokens.Student;
        var before = await h.TruthAsync(token);
        var mine = SyncHarness.Truth(before, "submissions").Values.Select(s => JsonDocument.Parse(s).RootElement)
            .First(s => s.GetProperty("workflow_state").GetString() == "submitted");
        using (var graded = await h.Http.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/submissions/{mine.GetProperty("id").GetInt64()}/grade", new { score = 1 }))
            graded.EnsureSuccessStatusCode();
        await h.ResetCanvasStatsAsync();

        var delta = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal(SyncStatus.Completed, delta.Status);
        var endpoints = await h.CanvasEndpointsAsync();
        Assert.Equal(1, endpoints["/api/graphql"]);
        Assert.Equal(1, endpoints["/api/v1/courses/{courseId}/assignments"]); // the graded course only, the row embedded
        Assert.False(endpoints.ContainsKey("/api/v1/courses/{courseId}/groups"), "a grade changes no group");
        // The grade moved the student's scores: the course's total scores are read again (the course list), and their
        // enrollment takes the answer's grades, so the roster is not read.
        Assert.Equal(1, endpoints["/api/v1/courses"]);
        Assert.False(endpoints.ContainsKey("/api/v1/courses/{courseId}/enrollments"), "the answer's grades are the roster's");
        Assert.Equal(4, delta.Requests);
        // The planner of that course only (its item carries the grade), not the whole planner the full sync read an hour ago at most.
        await using (var db = h.Database.Context())
        {
            var planner = await db.SyncCheckpoints.Where(c => c.RunId == delta.RunId && c.Collection.StartsWith("planner_items"))
                .ToListAsync();
            var read = Assert.Single(planner);
            Assert.Equal((PlannerItemsCollection.CoursesCheckpoint, true), (read.Collection, read.Done));
        }

        Assert.Equal(1, endpoints["/api/v1/planner/items"]);
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    /// <summary>
    /// A new group set puts the student in a group the mirror does not know. A Group has no link to its course, but
    /// the answer's courses list their groups: only that course's groups are read (and the new group's members).
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_group_new_to_the_mirror_reads_the_groups_of_its_own_course_only(string provider)
    {
        await using var h = await SyncHarness.SyncedAsync(provider, postgres, s => s.Tokens.Student);
        var token = h.Sandbox.Tokens.Student;
        await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), "new_group_set");
        await h.ResetCanvasStatsAsync();

        var delta = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal((SyncStatus.Completed, DeltaSources.GraphQL), (delta.Status, delta.DeltaSource));
        Assert.Equal(new Dictionary<string, long>
        {
            ["/api/graphql"] = 1,
            ["/api/v1/courses/{courseId}/groups"] = 1,
            ["/api/v1/groups/{groupId}/memberships"] = 1,
        }, await h.CanvasEndpointsAsync());
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    /// <summary>
    /// A student's notes and "marked done" show in no GraphQL field, so the whole planner is read when the last whole
    /// read is older than Sync:PlannerEveryMinutes, however recent a one-course read.
    /// </summary>
    [Fact]
    public async Task The_whole_planner_is_read_again_once_its_last_whole_read_is_an_hour_old()
    {
        await using var h = await SyncHarness.SyncedAsync("sqlite", postgres, s => s.Tokens.Student);
        var token = h.Sandbox.Tokens.Student;
        await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), "due_date");
        var oneCourse = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));
        await using (var db = h.Database.Context())
        {
            Assert.Contains(PlannerItemsCollection.CoursesCheckpoint,
                await db.SyncCheckpoints.Where(c => c.RunId == oneCourse.RunId).Select(c => c.Collection).ToListAsync());
            // The full sync, the last whole read, was an hour ago.
            await db.SyncRuns.Where(r => r.Id < oneCourse.RunId)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.StartedAt, x => x.StartedAt!.Value.AddMinutes(-61)));
        }

        await h.ResetCanvasStatsAsync();

        var delta = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal(DeltaSources.GraphQL, delta.DeltaSource);
        await using (var db = h.Database.Context())
            Assert.Contains(await db.SyncCheckpoints.Where(c => c.RunId == delta.RunId).Select(c => c.Collection).ToListAsync(), c =>
                c == PlannerItemsCollection.Instance.Kind);
        Assert.True((await h.CanvasEndpointsAsync())["/api/v1/planner/items"] >= 1);
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    /// <summary>
    /// Due dates moved in two courses: each course's assignments (their rows embedded, the new due dates cached on
    /// them), the course list (both courses' updatedAt moved), and one planner listing naming both courses.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Assignments_changed_in_two_courses_cost_three_requests_and_one_per_course(string provider)
    {
        await using var h = await SyncHarness.SyncedAsync(provider, postgres, s => s.Tokens.Student);
        var token = h.Sandbox.Tokens.Student;
        var twoCourses = SyncHarness.Truth(await h.TruthAsync(token), "assignments").Values
            .Select(a => JsonDocument.Parse(a).RootElement)
            .Where(a => a.GetProperty("published").GetBoolean() && a.GetProperty("due_at").ValueKind == JsonValueKind.String)
            .GroupBy(a => a.GetProperty("course_id").GetInt64()).Take(2).Select(g => g.First().GetProperty("id").GetInt64()).ToList();
        Assert.Equal(2, twoCourses.Count);
        foreach (var assignment in twoCourses)
        {
            using var moved = await h.Http.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/assignments/{assignment}",
                new { due_at = DateTime.UtcNow.AddDays(-2) });
            moved.EnsureSuccessStatusCode();
        }

        await h.ResetCanvasStatsAsync();

        var delta = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal((SyncStatus.Completed, DeltaSources.GraphQL), (delta.Status, delta.DeltaSource));
        var endpoints = await h.CanvasEndpointsAsync();
        Assert.Equal((1, 1, 2, 1), (endpoints["/api/graphql"], endpoints["/api/v1/courses"],
            endpoints["/api/v1/courses/{courseId}/assignments"], endpoints["/api/v1/planner/items"]));
        Assert.False(endpoints.ContainsKey("/api/v1/courses/{courseId}/students/submissions"), "a student's rows come embedded");
        await using (var db = h.Database.Context())
        {
            var planner = await db.SyncCheckpoints.Where(c => c.RunId == delta.RunId && c.Collection.StartsWith("planner_items"))
                .Select(c => c.Collection).ToListAsync();
            Assert.Equal([PlannerItemsCollection.CoursesCheckpoint], planner);
        }

        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }
}
