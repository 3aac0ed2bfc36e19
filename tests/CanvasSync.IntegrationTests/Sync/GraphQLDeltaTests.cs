using System.Net.Http.Json;
using CanvasSync.Features.Planner;
using CanvasSync.Features.Submissions;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.GraphQLDeltas;
using CanvasSync.IntegrationTests.Infrastructure;
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
    /// <summary>
    /// A second override changes no listing (REST needs the slow lane for it), but the due-date cacher stamps the rows'
    /// updated_at, so a teacher's plain GraphQL delta sees it.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_override_on_an_overridden_assignment_reaches_a_teachers_plain_delta(string provider)
    {
        await using var h = await SyncHarness.SyncedAsync(provider, postgres, s => s.Tokens.Teacher);
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
    /// <summary>
    /// A course that leaves allCourses is asked by id. Concluded, Canvas still shows it: it is read as its answer says,
    /// with its own row. Removed from it, the student no longer sees it: the course list takes it and all it held away.
    /// Either way the whole planner is read (it leaves a concluded course out), and the delta stays on GraphQL.
    /// </summary>
    [Theory]
    [InlineData("sqlite", "remove")]
    [InlineData("postgres", "remove")]
    [InlineData("sqlite", "conclude")]
    public async Task A_course_gone_from_all_courses_is_asked_by_id_instead_of_reading_everything_again(string provider, string change)
    {
        await using var h = await SyncHarness.SyncedAsync(provider, postgres, s => s.Tokens.Student, SandboxProfile.Student);
        var token = h.Sandbox.Tokens.Student;
        await h.ChangeAsync(await h.TruthAsync(h.Sandbox.Tokens.Teacher), change);
        await h.ResetCanvasStatsAsync();

        var delta = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal((SyncStatus.Completed, DeltaSources.GraphQL), (delta.Status, delta.DeltaSource));
        var endpoints = await h.CanvasEndpointsAsync();
        Assert.Equal((2, 1), (endpoints["/api/graphql"], endpoints["/api/v1/courses"]));
        Assert.True(endpoints["/api/v1/planner/items"] >= 1);
        if (change == "remove") Assert.Equal(["/api/graphql", "/api/v1/courses", "/api/v1/planner/items"], endpoints.Keys.Order());
        await using (var db = h.Database.Context())
        {
            Assert.Contains(await db.SyncCheckpoints.Where(c => c.RunId == delta.RunId).Select(c => c.Collection).ToListAsync(),
                c => c == PlannerItemsCollection.Instance.Kind);
        }

        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    /// <summary>
    /// A student who joins a teacher's course gets a row for every assignment, each with a new updatedAt. The roster
    /// read reads that student's rows in one listing; their assignments are not read whole for them.
    /// </summary>
    [Fact]
    public async Task A_student_who_joins_a_teachers_course_has_their_rows_read_with_the_roster_not_by_assignment()
    {
        await using var h = await SyncHarness.SyncedAsync("sqlite", postgres, s => s.Tokens.Teacher);
        var teacher = h.Sandbox.Tokens.Teacher;
        await h.ChangeAsync(await h.TruthAsync(teacher), "enroll");

        var delta = await h.SyncAsync(teacher, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal((SyncStatus.Completed, DeltaSources.GraphQL), (delta.Status, delta.DeltaSource));
        await using (var db = h.Database.Context())
        {
            var read = await db.SyncCheckpoints.Where(c => c.RunId == delta.RunId).Select(c => c.Collection).ToListAsync();
            Assert.Contains(read, c => c.StartsWith(SubmissionsCollection.Instance.Kind + ":u", StringComparison.Ordinal));
            Assert.DoesNotContain(read, c => c.StartsWith(SubmissionsCollection.Instance.Kind + ":a", StringComparison.Ordinal));
        }

        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(teacher));
    }

    [Fact]
    public async Task Lists_longer_than_a_page_are_paged_by_follow_up_queries()
    {
        await using var h = await SyncHarness.SyncedAsync("sqlite", postgres, s => s.Tokens.Teacher, SandboxProfile.Instructor);
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
        await using var h = await SyncHarness.SyncedAsync(provider, postgres, s => s.Tokens.Student);
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
}
