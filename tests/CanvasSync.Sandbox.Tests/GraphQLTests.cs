using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CanvasSync.Sandbox.Tests.Infrastructure;
using CanvasSync.Sandbox.World;
using Microsoft.Extensions.Time.Testing;

using static CanvasSync.Sandbox.Tests.Infrastructure.SandboxGraph;

namespace CanvasSync.Sandbox.Tests;

/// <summary>
/// /api/graphql behaves as docs/canvas.md §7 says Canvas's does: ids, defaults, change timestamps, permissions, the
/// same throttle as REST, and each limit refused as HTTP 200 with errors.
/// </summary>
public sealed class GraphQLTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _f;

    public GraphQLTests(SandboxFixture f) => _f = f;

    private const string Probe = """
        query Probe($since: DateTime, $states: [SubmissionState!]) {
          allCourses {
            _id id updatedAt
            submissionsConnection(first: 100, filter: {updatedSince: $since, states: $states}) {
              nodes { _id userId state updatedAt score }
              pageInfo { hasNextPage endCursor }
            }
          }
        }
        """;

    [Fact]
    public async Task A_student_probe_gets_legacy_and_relay_ids_whole_second_times_and_only_their_own_submitted_rows_by_default()
    {
        var (status, json, headers) = await GraphAsync(_f.Sandbox, _f.Sandbox.Tokens.Student, Probe);

        Assert.Equal(200, status);
        Assert.True(headers.Contains("X-Request-Cost") && headers.Contains("X-Rate-Limit-Remaining"),
            "GraphQL is charged to the same bucket as REST");
        var courses = json.GetProperty("data").GetProperty("allCourses").EnumerateArray().ToList();
        Assert.NotEmpty(courses);
        var me = (await _f.Http.GetJsonAsync($"{_f.Sandbox.BaseUrl}/api/v1/users/self", _f.Sandbox.Tokens.Student)).GetProperty("id")
            .GetInt64();
        foreach (var course in courses)
        {
            var id = course.GetProperty("_id").GetString()!;
            Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("Course-" + id)), course.GetProperty("id").GetString());
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", course.GetProperty("updatedAt").GetString());
            foreach (var s in course.GetProperty("submissionsConnection").GetProperty("nodes").EnumerateArray())
            {
                Assert.Equal(me.ToString(System.Globalization.CultureInfo.InvariantCulture), s.GetProperty("userId").GetString());
                Assert.Contains(s.GetProperty("state").GetString(), new[] { "submitted", "pending_review", "graded" });
            }
        }

        var (_, all, _) = await GraphAsync(_f.Sandbox, _f.Sandbox.Tokens.Student, Probe,
            new { states = new[] { "unsubmitted", "submitted", "pending_review", "graded" } });
        Assert.True(Nodes(all).Count(s => s.GetProperty("state").GetString() == "unsubmitted") > 0, "unsubmitted rows only when asked for");
    }

    [Fact]
    public async Task An_assignment_save_moves_the_course_updatedAt_an_override_does_not_but_it_moves_its_rows_updatedAt()
    {
        // The sandbox's clock is ours to move: updatedAt is served in whole seconds, and a second passes without a sleep.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Classroom, Time = clock });
        using var http = new HttpClient();
        var teacher = sandbox.Tokens.Teacher;
        var before = await CoursesAsync(sandbox, teacher);
        var course = before.Keys.Order(StringComparer.Ordinal).First();
        var assignments = (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/assignments?per_page=100", teacher)).Items;
        var dated = assignments.Where(a => a.GetProperty("published").GetBoolean() && a.GetProperty("due_at")
            .ValueKind == JsonValueKind.String).ToList();
        var since = clock.GetUtcNow().UtcDateTime.AddSeconds(-1);
        var states = new[] { "unsubmitted", "submitted", "pending_review", "graded" };

        var students = (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/enrollments?type[]=StudentEnrollment&per_page=100", teacher)).Items;
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignments/{dated[0].GetProperty("id").GetInt64()}/override",
            new
            {
                student_ids = students.Take(2).Select(s => s.GetProperty("user_id").GetInt64()).ToArray(),
                due_at = clock.GetUtcNow().AddDays(-3)
            });
        Assert.Equal(before[course], (await CoursesAsync(sandbox, teacher))[course]);
        var (_, changed, _) = await GraphAsync(sandbox, teacher, Probe, new { since, states });
        Assert.Equal(2, Nodes(changed).Count);

        clock.Advance(TimeSpan.FromSeconds(1.1));
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignments/{dated[1].GetProperty("id").GetInt64()}",
            new { due_at = clock.GetUtcNow().AddDays(-2) });
        Assert.True(string.CompareOrdinal((await CoursesAsync(sandbox, teacher))[course], before[course]) > 0);
        var (_, recached, _) = await GraphAsync(sandbox, teacher, Probe, new { since, states });
        Assert.True(Nodes(recached).Count > 2, "the due-date cacher stamps every row of the assignment");
    }

    [Fact]
    public async Task Connections_page_twenty_by_default_at_most_one_hundred_and_cursors_continue_without_overlap()
    {
        const string Page = """
            query Page($first: Int, $after: String) {
              allCourses { _id submissionsConnection(first: $first, after: $after, filter: {states: [unsubmitted, submitted, pending_review, graded]}) { nodes { _id } pageInfo { hasNextPage endCursor } } }
            }
            """;
        const string NoFirst = "{ allCourses { _id submissionsConnection(filter: {states: [unsubmitted, submitted, pending_review, graded]}) { nodes { _id } } } }";
        var teacher = _f.Sandbox.Tokens.Teacher;
        var (_, unpaged, _) = await GraphAsync(_f.Sandbox, teacher, NoFirst);
        Assert.All(unpaged.GetProperty("data").GetProperty("allCourses").EnumerateArray(),
            c => Assert.True(c.GetProperty("submissionsConnection").GetProperty("nodes").GetArrayLength() <= 20));

        var (_, huge, _) = await GraphAsync(_f.Sandbox, teacher, Page, new { first = 500 });
        var course = huge.GetProperty("data").GetProperty("allCourses").EnumerateArray()
            .First(c => c.GetProperty("submissionsConnection").GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        var first = course.GetProperty("submissionsConnection");
        Assert.Equal(100, first.GetProperty("nodes").GetArrayLength());

        var (_, next, _) = await GraphAsync(_f.Sandbox, teacher, Page,
            new { first = 100, after = first.GetProperty("pageInfo").GetProperty("endCursor").GetString() });
        var same = next.GetProperty("data").GetProperty("allCourses").EnumerateArray()
            .Single(c => c.GetProperty("_id").GetString() == course.GetProperty("_id").GetString());
        var firstIds = first.GetProperty("nodes").EnumerateArray().Select(n => long.Parse(n.GetProperty("_id").GetString()!)).ToList();
        var nextIds = same.GetProperty("submissionsConnection").GetProperty("nodes").EnumerateArray()
            .Select(n => long.Parse(n.GetProperty("_id").GetString()!)).ToList();
        Assert.NotEmpty(nextIds);
        Assert.True(nextIds.Min() > firstIds.Max(), "ordered by _id, the next page starts after the last");
    }

    public static TheoryData<string, string> Limits => new()
    {
        { "depth", "{ allCourses { " + Deep(5, "_id") + " } }" },
        { "complexity", "{ allCourses { " + Deep(2, "groupsConnection(first: 100) { nodes { _id name membersCount } }",
            first: 100) + " } }" },
        { "tokens", "{ allCourses { " + string.Join(' ', Enumerable.Repeat("_id", 5_001)) + " } }" },
        { "aliases", "{ allCourses { " + string.Join(' ', Enumerable.Range(0, 21).Select(i => $"a{i}: _id")) + " } }" },
        { "directives", "{ allCourses { " + string.Join(' ', Enumerable.Range(0, 6).Select(_ => "_id @include(if: true)")) + " } }" },
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public async Task Each_limit_is_refused_as_http_200_with_errors_and_no_data(string limit, string query)
    {
        var (status, json, _) = await GraphAsync(_f.Sandbox, _f.Sandbox.Tokens.Student, query);

        Assert.Equal(200, status);
        Assert.False(json.TryGetProperty("data", out _), limit);
        var message = json.GetProperty("errors")[0].GetProperty("message").GetString()!;
        Assert.Contains(limit switch { "tokens" => "too large", "aliases" => "aliases", "directives" => "directives", _ => limit }, message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_observer_reads_no_roster_nor_their_observees_rows_and_a_student_sees_only_their_own_grades()
    {
        const string Roster = "{ allCourses { _id enrollmentsConnection(first: 100) { nodes { _id user { _id } grades { currentScore } } } } }";
        var (_, json, _) = await GraphAsync(_f.Sandbox, _f.Sandbox.Tokens.Student, Roster);
        var me = (await _f.Http.GetJsonAsync($"{_f.Sandbox.BaseUrl}/api/v1/users/self", _f.Sandbox.Tokens.Student)).GetProperty("id")
            .GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var rows = Nodes(json, "enrollmentsConnection");
        Assert.Contains(rows, r => r.GetProperty("user").GetProperty("_id").GetString() != me);
        Assert.All(rows.Where(r => r.GetProperty("user").GetProperty("_id").GetString() != me), r =>
            Assert.Equal(JsonValueKind.Null, r.GetProperty("grades").ValueKind));

        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Classroom });
        using var http = new HttpClient();
        var student = (await http.GetJsonAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student)).GetProperty("id")
            .GetInt64();
        using var created = await http.PostAsync($"{sandbox.BaseUrl}/_sandbox/observers",
            new StringContent(JsonSerializer.Serialize(new { observee_ids = new[] { student } }), Encoding.UTF8, "application/json"));
        var parent = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        var (_, observed, _) = await GraphAsync(sandbox, parent, Roster);
        var courses = observed.GetProperty("data").GetProperty("allCourses").EnumerateArray().ToList();
        Assert.NotEmpty(courses);
        Assert.All(courses, c => Assert.Equal(JsonValueKind.Null, c.GetProperty("enrollmentsConnection").ValueKind));

        // Course#submissionsConnection gives a caller without grading rights their own rows only: an observer has none,
        // though REST's student_ids[]=all serves them their observee's.
        const string Rows = "{ allCourses { _id submissionsConnection(first: 100, filter: {states: [unsubmitted, submitted, pending_review, graded]}) { nodes { _id } } } }";
        var (_, asStudent, _) = await GraphAsync(sandbox, sandbox.Tokens.Student, Rows);
        Assert.Contains(asStudent.GetProperty("data").GetProperty("allCourses").EnumerateArray(), c =>
            c.GetProperty("submissionsConnection").GetProperty("nodes").GetArrayLength() > 0);
        var (_, asParent, _) = await GraphAsync(sandbox, parent, Rows);
        Assert.All(asParent.GetProperty("data").GetProperty("allCourses").EnumerateArray(),
            c => Assert.Equal(0, c.GetProperty("submissionsConnection").GetProperty("nodes").GetArrayLength()));
    }

    /// <summary>
    /// A student's own grades read the same in GraphQL as in their REST enrollment, byte for byte (both come from one
    /// Score and are rendered by Rails); where the course hides final grades, REST gives the link alone and GraphQL null
    /// (has_grade_permissions?, Score's :read).
    /// </summary>
    [Fact]
    public async Task A_students_own_grades_and_scores_are_the_bytes_of_their_rest_rows_and_hidden_where_the_course_hides_them()
    {
        const string Grades = "{ allCourses { enrollmentsConnection(first: 100) { nodes { _id "
            + "grades(gradingPeriodId: null) { currentScore finalScore currentGrade finalGrade } } } } }";
        var (_, json, _) = await GraphAsync(_f.Sandbox, _f.Sandbox.Tokens.Student, Grades);
        var graph = Nodes(json, "enrollmentsConnection").ToDictionary(n => n.GetProperty("_id").GetString()!, n => n.GetProperty("grades"));
        var rest = (await _f.Http.GetJsonAsync($"{_f.Sandbox.BaseUrl}/api/v1/users/self/enrollments?per_page=100",
                _f.Sandbox.Tokens.Student))
            .EnumerateArray().Where(e => e.GetProperty("type").GetString() == "StudentEnrollment"
                && graph.ContainsKey(e.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Contains(rest, e => !e.GetProperty("grades").TryGetProperty("current_score", out _));
        Assert.Contains(rest, e =>
            e.GetProperty("grades").TryGetProperty("current_score", out var s) && s.ValueKind == JsonValueKind.Number);
        foreach (var e in rest)
        {
            var mine = graph[e.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)];
            var grades = e.GetProperty("grades");
            if (!grades.TryGetProperty("current_score", out _))
            {
                Assert.Equal(JsonValueKind.Null, mine.ValueKind);
                continue;
            }

            foreach (var (field, key) in new[] { ("currentScore", "current_score"), ("finalScore", "final_score"),
                         ("currentGrade", "current_grade"), ("finalGrade", "final_grade") })
                Assert.Equal(grades.GetProperty(key).GetRawText(), mine.GetProperty(field).GetRawText());
        }

        // Whole scores too, which Ruby writes as 10.0: the student's rows' scores as their REST rows have them.
        const string Rows = "{ allCourses { submissionsConnection(first: 100, "
            + "filter: {states: [unsubmitted, submitted, pending_review, graded, ungraded]}) { nodes { _id score } } } }";
        var (_, rows, _) = await GraphAsync(_f.Sandbox, _f.Sandbox.Tokens.Student, Rows);
        var truth = (await _f.Http.TruthAsync(_f.Sandbox, _f.Sandbox.Tokens.Student)).GetProperty("submissions").EnumerateArray()
            .ToDictionary(r => r.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var scored = Nodes(rows).Where(n => n.GetProperty("score").ValueKind == JsonValueKind.Number).ToList();
        Assert.Contains(scored, n => n.GetProperty("score").GetDouble() % 1 == 0);
        Assert.All(scored, n =>
            Assert.Equal(truth[n.GetProperty("_id").GetString()!].GetProperty("score").GetRawText(), n.GetProperty("score").GetRawText()));
    }

    /// <summary>enrollment_type.rb: without gradingPeriodId Canvas answers the current grading period's scores (the course's
    /// where there are none, as in every sandbox course); null asks for the course's; a period's id for that period's.</summary>
    [Fact]
    public async Task Grades_are_the_courses_when_asked_for_no_grading_period_and_blank_for_a_period_no_course_has()
    {
        const string Grades = "{ allCourses { enrollmentsConnection(first: 100) { nodes { _id plain: grades { currentScore } "
            + "course: grades(gradingPeriodId: null) { currentScore } period: grades(gradingPeriodId: \"9\") { currentScore } } } } }";
        var (_, json, _) = await GraphAsync(_f.Sandbox, _f.Sandbox.Tokens.Student, Grades);
        var own = Nodes(json, "enrollmentsConnection").Where(n => n.GetProperty("plain").ValueKind == JsonValueKind.Object).ToList();
        Assert.Contains(own, n => n.GetProperty("course").GetProperty("currentScore").ValueKind == JsonValueKind.Number);
        Assert.All(own, n =>
        {
            Assert.Equal(n.GetProperty("plain").GetRawText(), n.GetProperty("course").GetRawText());
            Assert.Equal(JsonValueKind.Null, n.GetProperty("period").GetProperty("currentScore").ValueKind);
        });
    }

    [Fact]
    public async Task Refused_graphql_is_404_when_off_and_401_without_www_authenticate_for_a_key_without_the_scope()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Student });
        using var http = new HttpClient();

        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/settings", new { graphql = "not_found" });
        var (off, _, _) = await GraphAsync(sandbox, sandbox.Tokens.Student, Probe);
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/settings", new { graphql = "no_scope" });
        var (scope, body, headers) = await GraphAsync(sandbox, sandbox.Tokens.Student, Probe);

        Assert.Equal(404, off);
        Assert.Equal(401, scope);
        Assert.False(headers.Contains("WWW-Authenticate"), "the token is alive: only this endpoint is refused");
        Assert.Equal("Insufficient scopes on access token.", body.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    /// <summary>Enrollment.course leads back to a course: each turn of the cycle is three levels deeper.</summary>
    private static string Deep(int turns, string inner, int first = 1) =>
        turns == 0 ? inner : $"enrollmentsConnection(first: {first}) {{ nodes {{ course {{ {Deep(turns - 1, inner, first)} }} }} }}";

    /// <summary>The nodes of one connection of every course allCourses answered, in one list.</summary>
    private static List<JsonElement> Nodes(JsonElement json, string connection = "submissionsConnection") =>
        json.GetProperty("data").GetProperty("allCourses").EnumerateArray()
            .SelectMany(c => c.GetProperty(connection).GetProperty("nodes").EnumerateArray()).ToList();

    private static async Task<Dictionary<string, string>> CoursesAsync(SandboxServer sandbox, string token)
    {
        var (_, json, _) = await GraphAsync(sandbox, token, "{ allCourses { _id updatedAt } }");
        return json.GetProperty("data").GetProperty("allCourses").EnumerateArray()
            .ToDictionary(c => c.GetProperty("_id").GetString()!, c => c.GetProperty("updatedAt").GetString()!);
    }
}
