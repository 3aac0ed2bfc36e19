using System.Globalization;
using System.Net;
using System.Text.Json;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Api;

/// <summary>The mirrored data over HTTP, checked against the sandbox's truth for the same token.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DataApiTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_student_reads_courses_grades_assignments_and_tasks_as_canvas_has_them(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(alice.UserId))!.Status);
        using var plain = new HttpClient();
        var truth = await MirrorTruth.TruthAsync(plain, h.Sandbox, h.Sandbox.Tokens.Student);
        var me = truth.GetProperty("user").GetProperty("id").GetInt64();

        // Courses: every one Canvas lists (a not-yet-started stub too), with its term, the caller's role and grades.
        var courses = (await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/courses"))).EnumerateArray().ToList();
        Assert.Equal(Ids(truth, "courses").Order(), courses.Select(c => c.GetProperty("id").GetInt64()).Order());
        var mine = truth.GetProperty("enrollments").EnumerateArray()
            .Where(e => e.GetProperty("user_id").GetInt64() == me && e.GetProperty("type").GetString() == "StudentEnrollment").ToList();
        foreach (var course in courses.Where(c => !c.GetProperty("access_restricted_by_date").GetBoolean()))
        {
            var own = mine.Single(e => e.GetProperty("course_id").GetInt64() == course.GetProperty("id").GetInt64());
            Assert.Equal(["student"], course.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal(Number(Grade(own, "current_score")), Number(course.GetProperty("grades").GetProperty("current_score")));
            Assert.Equal(course.GetProperty("term_id").GetInt64(), course.GetProperty("term").GetProperty("id").GetInt64());
        }

        var grades = (await JsonOf(await alice.Http.GetAsync("/api/v1/canvas/grades"))).EnumerateArray().ToList();
        Assert.Equal(mine.Select(e => e.GetProperty("course_id").GetInt64()).Order(),
            grades.Select(g => g.GetProperty("course_id").GetInt64()).Order());
        Assert.All(grades, g => Assert.Equal(
            Grade(mine.Single(e => e.GetProperty("course_id").GetInt64() == g.GetProperty("course_id").GetInt64()), "final_grade")
                .GetRawText(),
            g.GetProperty("grades").GetProperty("final_grade").GetRawText()));

        // Assignments, page by page: every one exactly once, by due date with undated ones last.
        var all = await AllPagesAsync(alice.Http, "/api/v1/canvas/assignments?include_completed=true&limit=17");
        Assert.Equal(Ids(truth, "assignments").Order(), all.Select(a => a.GetProperty("id").GetInt64()).Order());
        var due = all.Select(a => a.GetProperty("due_at").ValueKind == JsonValueKind.Null ? DateTime.MaxValue : a.GetProperty("due_at")
            .GetDateTime()).ToList();
        Assert.Equal(due.Order(), due);

        // Without include_completed, what the student submitted, had graded or was excused from is left out.
        var done = truth.GetProperty("submissions").EnumerateArray()
            .Where(s => s.GetProperty("excused").ValueKind == JsonValueKind.True || s.GetProperty("workflow_state")
                .GetString() is "submitted" or "graded" or "pending_review")
            .Select(s => s.GetProperty("assignment_id").GetInt64()).ToHashSet();
        Assert.NotEmpty(done);
        var open = await AllPagesAsync(alice.Http, "/api/v1/canvas/assignments?limit=50");
        Assert.Equal(Ids(truth, "assignments").Where(id => !done.Contains(id)).Order(), open.Select(a => a.GetProperty("id").GetInt64())
            .Order());
        Assert.All(all, a => Assert.Equal(done.Contains(a.GetProperty("id").GetInt64()), a.GetProperty("completed").GetBoolean()));

        // A due-date window and one course.
        var dated = all.Where(a => a.GetProperty("due_at").ValueKind != JsonValueKind.Null)
            .Select(a => a.GetProperty("due_at").GetDateTime()).Order().ToList();
        var (from, to) = (dated[dated.Count / 4], dated[dated.Count / 2]);
        var window = await AllPagesAsync(alice.Http, $"/api/v1/canvas/assignments?include_completed=true&due_after={Iso(from)}&due_before={Iso(to)}");
        Assert.Equal(dated.Count(d => d >= from && d <= to), window.Count);
        var courseId = courses.First(c => !c.GetProperty("access_restricted_by_date").GetBoolean()).GetProperty("id").GetInt64();
        var inCourse = await AllPagesAsync(alice.Http, $"/api/v1/canvas/assignments?include_completed=true&course_id={courseId}");
        Assert.Equal(all.Count(a => a.GetProperty("course_id").GetInt64() == courseId), inCourse.Count);

        // One course in detail, its roster and its groups with members.
        var detail = await JsonOf(await alice.Http.GetAsync($"/api/v1/canvas/courses/{courseId}"));
        Assert.Equal(courseId, detail.GetProperty("course").GetProperty("id").GetInt64());
        Assert.Equal(inCourse.Count, detail.GetProperty("counts").GetProperty("assignments").GetInt32());
        await using (var db = h.Database.Context())
            Assert.Equal(await db.AssignmentGroups.CountAsync(g => g.CourseCanvasId == courseId), detail.GetProperty("assignment_groups")
                .GetArrayLength());
        var roster = (await JsonOf(await alice.Http.GetAsync($"/api/v1/canvas/courses/{courseId}/enrollments"))).EnumerateArray().ToList();
        Assert.Equal(truth.GetProperty("enrollments").EnumerateArray().Where(e => e.GetProperty("course_id").GetInt64() == courseId)
            .Select(e => e.GetProperty("id").GetInt64()).Order(),
            roster.Select(e => e.GetProperty("id").GetInt64()).Order());
        Assert.All(roster, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("user_name").GetString())));
        var students = (await JsonOf(await alice.Http.GetAsync($"/api/v1/canvas/courses/{courseId}/enrollments?type=student")))
            .EnumerateArray().ToList();
        Assert.All(students, e => Assert.Equal("student", e.GetProperty("role").GetString()));
        var groups = (await JsonOf(await alice.Http.GetAsync($"/api/v1/canvas/courses/{courseId}/groups"))).EnumerateArray().ToList();
        foreach (var group in groups)
        {
            var members = truth.GetProperty("group_memberships").EnumerateArray()
                .Where(m => m.GetProperty("group_id").GetInt64() == group.GetProperty("id").GetInt64())
                    .Select(m => m.GetProperty("user_id").GetInt64());
            Assert.Equal(members.Order(), group.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("user_id").GetInt64())
                .Order());
        }

        // Tasks: one per assignment (the planner's other to-dos are tasks too); the open ones are those not done.
        var tasks = (await AllPagesAsync(alice.Http, "/api/v1/tasks?include_completed=true&limit=100")).Where(FromAssignment).ToList();
        Assert.Equal(Ids(truth, "assignments").Order(), tasks.Select(t => t.GetProperty("canvas_assignment_id").GetInt64()).Order());
        var openTasks = (await AllPagesAsync(alice.Http, "/api/v1/tasks")).Where(FromAssignment).ToList();
        Assert.Equal(open.Count, openTasks.Count);

        // What Alice does not have is a 404, the same as what does not exist.
        using var unknown = await alice.Http.GetAsync("/api/v1/canvas/courses/424242424242");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.GetAsync("/api/v1/canvas/courses/424242424242/groups")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_teacher_reads_every_students_submissions_and_the_roster_with_grades(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var ana = await h.AddUserAsync("ana");
        (await h.ConnectCanvasAsync(ana, token: h.Sandbox.Tokens.Teacher)).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncStoredAsync(ana.UserId))!.Status);
        using var plain = new HttpClient();
        var truth = await MirrorTruth.TruthAsync(plain, h.Sandbox, h.Sandbox.Tokens.Teacher);

        var submissions = await AllPagesAsync(ana.Http, "/api/v1/canvas/submissions?limit=200");
        Assert.Equal(Ids(truth, "submissions").Order(), submissions.Select(s => s.GetProperty("id").GetInt64()).Order());
        var assignmentId = submissions[0].GetProperty("assignment_id").GetInt64();
        var one = await AllPagesAsync(ana.Http, $"/api/v1/canvas/submissions?assignment_id={assignmentId}");
        Assert.Equal(truth.GetProperty("submissions").EnumerateArray()
            .Count(s => s.GetProperty("assignment_id").GetInt64() == assignmentId), one.Count);
        var graded = await AllPagesAsync(ana.Http, "/api/v1/canvas/submissions?workflow_state=graded&limit=200");
        Assert.All(graded, s => Assert.Equal("graded", s.GetProperty("workflow_state").GetString()));

        var courseId = submissions[0].GetProperty("course_id").GetInt64();
        var course = await JsonOf(await ana.Http.GetAsync($"/api/v1/canvas/courses/{courseId}"));
        Assert.Contains("teacher", course.GetProperty("course").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(JsonValueKind.Null, course.GetProperty("course").GetProperty("grades").ValueKind);
        var roster = (await JsonOf(await ana.Http.GetAsync($"/api/v1/canvas/courses/{courseId}/enrollments?type=student"))).EnumerateArray()
            .ToList();
        Assert.NotEmpty(roster);
        // Canvas gives a teacher every student's scores (a teacher's own enrollment has no grades at all).
        var truthGrades = truth.GetProperty("enrollments").EnumerateArray()
            .Where(e => e.GetProperty("course_id").GetInt64() == courseId && e.TryGetProperty("grades", out _))
            .ToDictionary(e => e.GetProperty("id").GetInt64(), e => e.GetProperty("grades"));
        Assert.All(roster, e => Assert.Equal(Number(truthGrades[e.GetProperty("id").GetInt64()].GetProperty("current_score")),
            Number(e.GetProperty("grades").GetProperty("current_score"))));
        var groups = (await JsonOf(await ana.Http.GetAsync($"/api/v1/canvas/courses/{courseId}/groups"))).EnumerateArray().ToList();
        Assert.NotEmpty(groups);
        Assert.All(groups, g => Assert.False(string.IsNullOrEmpty(g.GetProperty("category_name").GetString())));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bad_queries_name_their_field_and_reads_need_a_connection(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        foreach (var path in new[] { "/api/v1/canvas/courses", "/api/v1/canvas/assignments", "/api/v1/canvas/grades", "/api/v1/tasks",
            "/api/v1/changes" })
        {
            using var response = await alice.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("not_connected", (await JsonOf(response)).GetProperty("code").GetString());
        }

        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        (string Path, string Field)[] bad =
        [
            ("/api/v1/canvas/assignments?limit=0", "limit"),
            ("/api/v1/canvas/assignments?limit=201", "limit"),
            ("/api/v1/canvas/assignments?limit=many", "limit"),
            ("/api/v1/canvas/assignments?cursor=not-a-cursor", "cursor"),
            ("/api/v1/canvas/assignments?course_id=abc", "course_id"),
            ("/api/v1/canvas/assignments?due_after=yesterday", "due_after"),
            ("/api/v1/canvas/assignments?due_after=2026-10-01T00:00:00Z&due_before=2026-09-01T00:00:00Z", "due_before"),
            ("/api/v1/canvas/assignments?include_completed=maybe", "include_completed"),
            ("/api/v1/canvas/assignments?updated_since=soon", "updated_since"),
            ("/api/v1/canvas/submissions?workflow_state=lost", "workflow_state"),
            ("/api/v1/canvas/submissions?cursor=%21%21", "cursor"),
            ("/api/v1/canvas/courses?term_id=fall", "term_id"),
            ("/api/v1/canvas/courses/1/enrollments?type=principal", "type"),
            ("/api/v1/tasks?due_before=2026-13-45", "due_before"),
            ("/api/v1/changes?since=yesterday", "since"),
            ("/api/v1/changes?limit=501", "limit"),
        ];
        foreach (var (path, field) in bad)
        {
            using var response = await alice.Http.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), $"{path}: {text}");
        }
    }

    internal static async Task<List<JsonElement>> AllPagesAsync(HttpClient http, string path)
    {
        var items = new List<JsonElement>();
        var seen = new HashSet<string>();
        string? cursor = null;
        do
        {
            var page = await JsonOf(await http.GetAsync(cursor is null ? path
                : $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}cursor={Uri.EscapeDataString(cursor)}"));
            // GET canvas/assignments answers in PulsePlan's envelope (its list under "assignments"); every other list under "items".
            Assert.True(page.TryGetProperty("items", out var list) || page.TryGetProperty("assignments", out list), page.ToString());
            items.AddRange(list.EnumerateArray());
            cursor = page.GetProperty("next_cursor").GetString();
            Assert.True(cursor is null || seen.Add(cursor), "a cursor came back twice");
        }
        while (cursor is not null);

        Assert.Equal(items.Count, items.Select(i => i.GetProperty("id").GetInt64()).Distinct().Count());
        return items;
    }

    private static IEnumerable<long> Ids(JsonElement truth, string collection) => truth.GetProperty(collection).EnumerateArray()
        .Select(i => i.GetProperty("id").GetInt64());

    /// <summary>Canvas (Rails) writes 75.0 where System.Text.Json writes 75: the same number.</summary>
    private static double? Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();

    /// <summary>One of an enrollment's grades; null where Canvas leaves it out (a course that hides final grades).</summary>
    private static JsonElement Grade(JsonElement enrollment, string name) =>
        enrollment.GetProperty("grades").TryGetProperty(name, out var value) ? value : JsonDocument.Parse("null").RootElement;

    private static string Iso(DateTime d) =>
        Uri.EscapeDataString(d.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

    private static bool FromAssignment(JsonElement task) => task.GetProperty("source").GetString() == "assignment";
}
