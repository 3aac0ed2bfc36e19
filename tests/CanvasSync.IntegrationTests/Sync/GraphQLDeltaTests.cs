using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Features.Planner;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.GraphQLDeltas;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.GraphQL;
using CanvasSync.Sandbox.World;
using GraphQLParser.AST;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>
/// A student's delta asks Canvas's GraphQL what changed and reads only that (docs/architecture.md). That each change
/// kind still leaves the mirror equal to Canvas is DeltaChangeTests' job (a student's deltas go through here); these
/// tests hold the cost, the fallback to REST, and the limits Canvas puts on the query.
/// </summary>
[Collection(SecondPostgresCollection.Name)]
public sealed class GraphQLDeltaTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_quiet_students_delta_is_one_graphql_query(string provider)
    {
        await using var h = await SyncedAsync(provider, s => s.Tokens.Student);
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
        await using var h = await SyncedAsync(provider, s => s.Tokens.Student);
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

        // The query's own grades are the mirror's: the row, its assignment (embedding it) and the planner are read; the
        // enrollment and the course's total scores are not.
        Assert.Equal(SyncStatus.Completed, delta.Status);
        Assert.Equal(new Dictionary<string, long>
        {
            ["/api/graphql"] = 1,
            ["/api/v1/courses/{courseId}/assignments"] = 1,
            ["/api/v1/courses/{courseId}/students/submissions"] = 1,
            ["/api/v1/planner/items"] = 1,
        }, await h.CanvasEndpointsAsync());
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_grade_reads_only_its_course_and_leaves_the_mirror_equal_to_canvas(string provider)
    {
        await using var h = await SyncedAsync(provider, s => s.Tokens.Student);
        var token = h.Sandbox.Tokens.Student;
        var before = await h.TruthAsync(token);
        var mine = SyncHarness.Truth(before, "submissions").Values.Select(s => JsonDocument.Parse(s).RootElement)
            .First(s => s.GetProperty("workflow_state").GetString() == "submitted");
        var course = JsonDocument.Parse(SyncHarness.Truth(before, "assignments")[mine.GetProperty("assignment_id").GetRawText()])
            .RootElement.GetProperty("course_id").GetInt64();
        using (var graded = await h.Http.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/submissions/{mine.GetProperty("id").GetInt64()}/grade", new { score = 1 }))
            graded.EnsureSuccessStatusCode();
        await h.ResetCanvasStatsAsync();

        var delta = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal(SyncStatus.Completed, delta.Status);
        var endpoints = await h.CanvasEndpointsAsync();
        Assert.Equal(1, endpoints["/api/graphql"]);
        Assert.Equal(1, endpoints["/api/v1/courses/{courseId}/students/submissions"]); // the graded course only
        Assert.False(endpoints.ContainsKey("/api/v1/courses/{courseId}/groups"), "a grade changes no group");
        // The grade moved the student's scores: their enrollment and the course's total scores are read again.
        Assert.Equal(1, endpoints["/api/v1/courses/{courseId}/enrollments"]);
        Assert.Equal(1, endpoints["/api/v1/courses"]);
        // The planner of that course only (its item carries the grade), not the whole planner the full sync read an hour ago at most.
        await using (var db = h.Database.Context())
        {
            var planner = await db.SyncCheckpoints.Where(c => c.RunId == delta.RunId && c.Collection.StartsWith("planner_items"))
                .ToListAsync();
            var read = Assert.Single(planner);
            Assert.Equal((PlannerItemsCollection.CourseCheckpoint, course, true), (read.Collection, read.CourseCanvasId, read.Done));
        }

        Assert.Equal(1, endpoints["/api/v1/planner/items"]);
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    /// <summary>
    /// A student's notes and "marked done" show in no GraphQL field, so the whole planner is read when the last whole
    /// read is older than Sync:PlannerEveryMinutes, however recent a one-course read.
    /// </summary>
    [Fact]
    public async Task The_whole_planner_is_read_again_once_its_last_whole_read_is_an_hour_old()
    {
        await using var h = await SyncedAsync("sqlite", s => s.Tokens.Student);
        var token = h.Sandbox.Tokens.Student;
        await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), "due_date");
        var oneCourse = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));
        await using (var db = h.Database.Context())
        {
            Assert.Contains(PlannerItemsCollection.CourseCheckpoint,
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
    /// A second override changes no listing (REST needs the slow lane for it), but the due-date cacher stamps the rows'
    /// updated_at, so a teacher's plain GraphQL delta sees it.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_override_on_an_overridden_assignment_reaches_a_teachers_plain_delta(string provider)
    {
        await using var h = await SyncedAsync(provider, s => s.Tokens.Teacher);
        var teacher = h.Sandbox.Tokens.Teacher;
        await h.ChangeAsync(await h.TruthAsync(teacher), "first_override");
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(teacher, SyncType.Delta)).Status);
        await h.ChangeAsync(await h.TruthAsync(teacher), "override_again");

        var delta = await h.SyncAsync(teacher, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal(SyncStatus.Completed, delta.Status);
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(teacher));
    }

    /// <summary>
    /// Courses of 200 students: their rosters, and the 200 rows a publish creates, take more than one page of 100, and
    /// the follow-up query pages them; the delta still equals Canvas.
    /// </summary>
    [Fact]
    public async Task Lists_longer_than_a_page_are_paged_by_follow_up_queries()
    {
        await using var h = await SyncedAsync("sqlite", s => s.Tokens.Teacher, SandboxProfile.Instructor);
        var teacher = h.Sandbox.Tokens.Teacher;
        await h.ChangeAsync(await h.TruthAsync(teacher), "publish");
        await h.ResetCanvasStatsAsync();

        var delta = await h.SyncAsync(teacher, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal(SyncStatus.Completed, delta.Status);
        Assert.True((await h.CanvasEndpointsAsync())["/api/graphql"] >= 2, "the rosters of 200 need a second page");
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(teacher));
    }

    public static TheoryData<string, string> Refusals => new() { { "sqlite", "not_found" }, { "postgres", "no_scope" } };

    /// <summary>A Canvas without GraphQL (switched off, or a key without its scope): REST deltas, exact, one warning, and GraphQL left
    /// alone for a while.</summary>
    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_canvas_that_refuses_graphql_gets_exact_rest_deltas_and_one_line_in_the_log(string provider, string refusal)
    {
        await using var h = await SyncedAsync(provider, s => s.Tokens.Student);
        var token = h.Sandbox.Tokens.Student;
        using (var set = await h.Http.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/settings", new { graphql = refusal }))
            set.EnsureSuccessStatusCode();
        await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), "publish");
        await h.ResetCanvasStatsAsync();

        var first = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));
        await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), "points");
        var second = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal((SyncStatus.Completed, SyncStatus.Completed), (first.Status, second.Status));
        Assert.Empty(first.Errors.Concat(second.Errors));
        Assert.Equal(1, (await h.CanvasEndpointsAsync())["/api/graphql"]); // asked once, then remembered
        Assert.Equal((DeltaSources.Rest, DeltaSources.Rest), (first.DeltaSource, second.DeltaSource));
        await using (var db = h.Database.Context())
        {
            // Remembered on the connection's row, where every node (and this one after a restart) reads it.
            var until = (await db.Connections.SingleAsync(c => c.Id == h.ConnectionId)).GraphQLRefusedUntil;
            Assert.InRange(until!.Value, DateTime.UtcNow.AddHours(5), DateTime.UtcNow.AddHours(7));
        }

        Assert.Single(h.Logs.Lines, l => l.Contains("refused GraphQL", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    public static TheoryData<string> Limits => new() { "depth", "complexity", "tokens", "aliases", "directives", "page_size" };

    /// <summary>
    /// The client's queries (the first, and the largest follow-up: one aliased page of each list per alias) against
    /// each limit the sandbox enforces as Canvas does (docs/canvas.md §7).
    /// </summary>
    [Theory]
    [MemberData(nameof(Limits))]
    public void The_delta_queries_meet_each_limit_canvas_puts_on_graphql(string limit)
    {
        var followUp = ChangeQuery.FollowUp(Enumerable.Range(0, ChangeQuery.AliasesPerQuery)
            .Select(i => (1000L + i, ChangeQuery.ListNames.ElementAt(i % ChangeQuery.ListNames.Count), (string?)"MTAw")).ToList());
        var others = Enumerable.Range(0, ChangeQuery.OthersInFirstQuery).Select(i => 2000L + i).ToList();
        foreach (var query in new[] { ChangeQuery.First([]), ChangeQuery.First(others), followUp }) MeetsLimit(query, limit);
    }

    /// <summary>Without gradingPeriodId Canvas answers the current grading period's scores; the mirror holds the course's.</summary>
    [Fact]
    public void The_delta_queries_ask_for_the_courses_grades_not_the_current_grading_periods()
    {
        var followUp = ChangeQuery.FollowUp([(1000L, "enrollmentsConnection", "MTAw")]);
        var grades = new[] { ChangeQuery.First([]), ChangeQuery.First([2000L]), followUp }
            .SelectMany(q => Fields(GraphQLParser.Parser.Parse(q))).Where(f => f.Name.StringValue == "grades").ToList();
        Assert.Equal(4, grades.Count); // allCourses twice, the course asked by id, the follow-up
        Assert.All(grades, g => Assert.IsAssignableFrom<GraphQLNullValue>(
            Assert.Single(g.Arguments!.Items, a => a.Name.StringValue == "gradingPeriodId").Value));
    }

    private static void MeetsLimit(string query, string limit)
    {
        var document = GraphQLParser.Parser.Parse(query);
        var measure = QueryLimits.Measured(document, new Dictionary<string, object?>());
        switch (limit)
        {
            case "depth": Assert.InRange(measure.Depth, 1, QueryLimits.MaxDepth); break;
            case "complexity": Assert.InRange(measure.Complexity, 1, QueryLimits.MaxComplexity); break;
            case "tokens": Assert.InRange(QueryLimits.Tokens(query), 1, QueryLimits.MaxTokens); break;
            case "aliases": Assert.InRange(measure.Aliases, 0, QueryLimits.MaxAliases); break;
            case "directives": Assert.InRange(measure.Directives, 0, QueryLimits.MaxDirectives); break;
            default:
                // Every connection names its page (without first: Canvas stops at 20, silently), at most 100.
                var connections = Fields(document).Where(f => f.Name.StringValue.EndsWith("Connection", StringComparison.Ordinal)).ToList();
                Assert.NotEmpty(connections);
                Assert.All(connections, c =>
                {
                    var first = c.Arguments?.Items.SingleOrDefault(a => a.Name.StringValue == "first")?.Value as GraphQLIntValue;
                    Assert.NotNull(first);
                    Assert.InRange(int.Parse(first.Value.Span, System.Globalization.CultureInfo.InvariantCulture), 1,
                        QueryLimits.MaxPageSize);
                });
                break;
        }
    }

    private static IEnumerable<GraphQLField> Fields(ASTNode node) => node switch
    {
        GraphQLDocument d => d.Definitions.SelectMany(Fields),
        GraphQLOperationDefinition o => Fields(o.SelectionSet),
        GraphQLSelectionSet s => s.Selections.SelectMany(Fields),
        GraphQLInlineFragment i => Fields(i.SelectionSet),
        GraphQLField f => f.SelectionSet is null ? [f] : [f, .. Fields(f.SelectionSet)],
        _ => [],
    };

    /// <summary>A sandbox and a database, and a first full sync with the token <paramref name="token"/> picks.</summary>
    private async Task<SyncHarness> SyncedAsync(string provider, Func<SandboxServer, string> token,
        SandboxProfile profile = SandboxProfile.Classroom)
    {
        var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = profile });
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(token(h.Sandbox))).Status);
        return h;
    }
}
