using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Sandbox.Tests.Infrastructure;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Tests;

/// <summary>
/// The changes of docs/canvas.md §6 do to the sandbox what they do to Canvas: what each one changes in the
/// submissions Canvas lists, and what it leaves as it was (which is what makes it a trap for a delta).
/// </summary>
public sealed class ChangeKindTests
{
    [Fact]
    public async Task A_due_date_moves_cached_due_date_and_missing_while_points_re_derive_the_grade_string()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Classroom });
        using var http = new HttpClient();
        var (course, assignments) = await CourseAsync(http, sandbox);
        static bool Graded(JsonElement s) => s.GetProperty("score").ValueKind == JsonValueKind.Number
            && s.GetProperty("score").GetDouble() > 0;
        JsonElement percent = default;
        List<JsonElement> before = [];
        foreach (var candidate in assignments.Where(a => a.GetProperty("grading_type").GetString() is "percent" or "letter_grade"
                     && a.GetProperty("published").GetBoolean() && a.GetProperty("due_at").ValueKind == JsonValueKind.String))
        {
            (percent, before) = (candidate, await SubmissionsAsync(http, sandbox, course, candidate));
            if (before.Any(Graded)) break;
        }

        var due = DateTime.UtcNow.AddDays(-2);

        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignments/{Id(percent)}",
            new { due_at = due, points_possible = 2 * percent.GetProperty("points_possible").GetDouble() });
        var after = await SubmissionsAsync(http, sandbox, course, percent);
        var assignment = await AssignmentAsync(http, sandbox, course, Id(percent));

        Assert.All(after, s => Assert.Equal(assignment.GetProperty("due_at").GetString(), s.GetProperty("cached_due_date").GetString()));
        Assert.All(after.Where(s => s.GetProperty("workflow_state").GetString() == "unsubmitted"), s =>
            Assert.True(s.GetProperty("missing").GetBoolean()));
        var graded = before.First(Graded);
        var regraded = after.Single(s => Id(s) == Id(graded));
        Assert.Equal(graded.GetProperty("score").GetDouble(), regraded.GetProperty("score").GetDouble()); // the score stays
        Assert.NotEqual(graded.GetProperty("grade").GetString(),
            regraded.GetProperty("grade").GetString()); // "80%" becomes "40%", a B an F
    }

    [Fact]
    public async Task Publishing_creates_rows_unpublishing_hides_them_and_an_override_moves_only_updated_at_and_its_rows()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Classroom });
        using var http = new HttpClient();
        var (course, assignments) = await CourseAsync(http, sandbox);
        var unpublished = assignments.First(a => !a.GetProperty("published").GetBoolean());

        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignments/{Id(unpublished)}", new { published = true });
        var created = await SubmissionsAsync(http, sandbox, course, unpublished);
        Assert.NotEmpty(created);
        Assert.All(created, s => Assert.Equal("unsubmitted", s.GetProperty("workflow_state").GetString()));

        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignments/{Id(unpublished)}", new { published = false });
        using var refused = await http.GetAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/students/submissions?student_ids[]=all&assignment_ids[]={Id(unpublished)}", sandbox.Tokens.Teacher);
        Assert.Equal(403, (int)refused.StatusCode); // an unpublished assignment's ids are "invalid assignment ids requested"

        var dated = assignments.First(a => a.GetProperty("published").GetBoolean()
            && a.GetProperty("due_at").ValueKind == JsonValueKind.String && !a.GetProperty("has_overrides").GetBoolean());
        var student = (await SubmissionsAsync(http, sandbox, course, dated))[0].GetProperty("user_id").GetInt64();
        // Dates before the assignment's own, so the teacher is still served the assignment's (the later one).
        var due = dated.GetProperty("due_at").GetDateTime();
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignments/{Id(dated)}/override",
            new { student_ids = new[] { student }, due_at = due.AddDays(-1) });
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignments/{Id(dated)}/override",
            new { student_ids = new[] { student }, due_at = due.AddDays(-5) });
        var once = await AssignmentAsync(http, sandbox, course, Id(dated));
        Assert.True(once.GetProperty("has_overrides").GetBoolean());
        // AssignmentOverride#touch_assignment moves updated_at; nothing a delta compares (due_at, points...) moved.
        Assert.NotEqual(dated.GetProperty("updated_at").GetString(), once.GetProperty("updated_at").GetString());
        Assert.Equal(dated.GetProperty("due_at").GetString(), once.GetProperty("due_at").GetString());
        var mine = (await SubmissionsAsync(http, sandbox, course, dated)).Single(s => s.GetProperty("user_id").GetInt64() == student);
        Assert.NotEqual(dated.GetProperty("due_at").GetString(), mine.GetProperty("cached_due_date").GetString());
    }

    /// <summary>
    /// canvas-lms AssignmentOverrideApplicator: the student is served their override's date, the teacher the later of
    /// the two, and a later change of the assignment's own date leaves the overridden student's rows on the override.
    /// </summary>
    [Fact]
    public async Task An_override_is_what_its_student_is_served_and_outlives_a_new_assignment_due_date()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Classroom });
        using var http = new HttpClient();
        var (course, assignments) = await CourseAsync(http, sandbox);
        var me = (await http.GetJsonAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student)).GetProperty("id").GetInt64();
        var dated = assignments.First(a => a.GetProperty("published").GetBoolean()
            && a.GetProperty("due_at").ValueKind == JsonValueKind.String
            && !a.GetProperty("has_overrides").GetBoolean());
        var due = dated.GetProperty("due_at").GetDateTime();
        var own = due.AddDays(3);
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignments/{Id(dated)}/override",
            new { student_ids = new[] { me }, due_at = own });

        string? Served(JsonElement a) => a.GetProperty("due_at").GetString();
        var asStudent = (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/assignments?per_page=100",
            sandbox.Tokens.Student)).Items.Single(a => Id(a) == Id(dated));
        Assert.Equal(Iso(own), Served(asStudent));
        Assert.Equal(Iso(own), Served(await AssignmentAsync(http, sandbox, course, Id(dated)))); // the teacher: the later date

        var moved = due.AddDays(-2);
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignments/{Id(dated)}", new { due_at = moved });
        var rows = await SubmissionsAsync(http, sandbox, course, dated);
        Assert.Equal(Iso(own), rows.Single(s => s.GetProperty("user_id").GetInt64() == me).GetProperty("cached_due_date").GetString());
        Assert.All(rows.Where(s => s.GetProperty("user_id").GetInt64() != me), s =>
            Assert.Equal(Iso(moved), s.GetProperty("cached_due_date").GetString()));
        Assert.Equal(Iso(own), Served((await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/assignments?per_page=100",
            sandbox.Tokens.Student)).Items.Single(a => Id(a) == Id(dated))));
        var planned = (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/planner/items?start_date={DateTime.UtcNow.AddYears(-2):yyyy-MM-dd}&per_page=100", sandbox.Tokens.Student)).Items
            .Single(i => i.GetProperty("plannable_type").GetString() == "assignment"
                && i.GetProperty("plannable_id").GetInt64() == Id(dated));
        Assert.Equal(Iso(own), planned.GetProperty("plannable_date").GetString());
    }

    private static string Iso(DateTime t) =>
        t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>canvas-lms AbstractAssignment#post_submissions: posted_at and updated_at in one UPDATE, then unmuted.</summary>
    [Fact]
    public async Task Posting_grades_stamps_every_row_unmutes_the_assignment_and_shows_students_their_scores()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Classroom });
        using var http = new HttpClient();
        var (course, assignments) = await CourseAsync(http, sandbox);
        var muted = assignments.First(a => a.GetProperty("published").GetBoolean() && a.GetProperty("muted").GetBoolean());
        var before = await SubmissionsAsync(http, sandbox, course, muted);
        var held = before.First(s => s.GetProperty("posted_at").ValueKind == JsonValueKind.Null
            && s.GetProperty("workflow_state").GetString() == "graded");
        // A parent of that student sees what the student sees: no score until it is posted.
        using var made = await http.PostAsJsonAsync($"{sandbox.BaseUrl}/_sandbox/observers",
            new { observee_ids = new[] { held.GetProperty("user_id").GetInt64() } });
        var parent = JsonDocument.Parse(await made.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        var seenUrl = $"{sandbox.BaseUrl}/api/v1/courses/{course}/students/submissions?student_ids[]=all&assignment_ids[]={Id(muted)}&per_page=100";
        Assert.False((await http.GetAllAsync(seenUrl, parent)).Items.Single().TryGetProperty("score", out _));

        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignments/{Id(muted)}/post", new { });

        var after = await SubmissionsAsync(http, sandbox, course, muted);
        Assert.Single(after.Select(s => s.GetProperty("posted_at").GetString()).Distinct()); // one UPDATE, one time
        Assert.NotNull(after[0].GetProperty("posted_at").GetString());
        var unmuted = await AssignmentAsync(http, sandbox, course, Id(muted));
        Assert.False(unmuted.GetProperty("muted").GetBoolean());
        Assert.True(unmuted.GetProperty("post_manually").GetBoolean()); // the policy stays; only what is posted changed
        Assert.NotEqual(muted.GetProperty("updated_at").GetString(), unmuted.GetProperty("updated_at").GetString());
        Assert.True((await http.GetAllAsync(seenUrl, parent)).Items.Single().TryGetProperty("score", out _));
    }

    [Fact]
    public async Task A_new_student_gets_unsubmitted_rows_a_removed_one_disappears_and_a_dropped_one_stays()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Classroom });
        using var http = new HttpClient();
        var (course, assignments) = await CourseAsync(http, sandbox);
        var all = $"{sandbox.BaseUrl}/api/v1/courses/{course}/students/submissions?student_ids[]=all&per_page=100";
        var published = assignments.Count(a => a.GetProperty("published").GetBoolean());

        using var joined = await http.PostAsync($"{sandbox.BaseUrl}/_sandbox/courses/{course}/enrollments", null);
        var newcomer = JsonDocument.Parse(await joined.Content.ReadAsStringAsync()).RootElement.GetProperty("user_id").GetInt64();
        var rows = (await http.GetAllAsync(all, sandbox.Tokens.Teacher)).Items;
        Assert.Equal(published - 1,
            rows.Count(s => s.GetProperty("user_id").GetInt64() == newcomer)); // one is differentiated away from them

        var enrollments = (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/enrollments?type[]=StudentEnrollment&per_page=100", sandbox.Tokens.Teacher)).Items;
        var (removed, dropped) = (enrollments[0], enrollments[1]);
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/enrollments/{Id(removed)}", new { state = "deleted" });
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/enrollments/{Id(dropped)}", new { state = "completed" });
        rows = (await http.GetAllAsync(all, sandbox.Tokens.Teacher)).Items;
        Assert.DoesNotContain(rows, s => s.GetProperty("user_id").GetInt64() == removed.GetProperty("user_id").GetInt64());
        Assert.Contains(rows, s => s.GetProperty("user_id").GetInt64() == dropped.GetProperty("user_id").GetInt64());
    }

    [Fact]
    public async Task Group_moves_invitations_and_moderator_flags_change_memberships_but_only_a_move_or_an_acceptance_shows_in_the_group()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Classroom });
        using var http = new HttpClient();
        var (course, _) = await CourseAsync(http, sandbox);
        var groupsUrl = $"{sandbox.BaseUrl}/api/v1/courses/{course}/groups?include[]=users&per_page=100";
        var groups = (await http.GetAllAsync(groupsUrl, sandbox.Tokens.Teacher)).Items;
        var group = groups.First(g => g.GetProperty("members_count").GetInt32() > 1);
        var members = (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/groups/{Id(group)}/memberships?per_page=100",
            sandbox.Tokens.Teacher)).Items;
        var accepted = members.First(m => m.GetProperty("workflow_state").GetString() == "accepted");

        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/memberships/{Id(accepted)}",
            new { moderator = !accepted.GetProperty("moderator").GetBoolean() });
        var outsider = (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/enrollments?type[]=StudentEnrollment&per_page=100", sandbox.Tokens.Teacher)).Items
            .Select(e => e.GetProperty("user_id").GetInt64()).First(u => members.All(m => m.GetProperty("user_id").GetInt64() != u));
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/groups/{Id(group)}/invite", new { user_id = outsider });
        Assert.Equal(group.GetRawText(),
            (await http.GetAllAsync(groupsUrl, sandbox.Tokens.Teacher)).Items.Single(g => Id(g) == Id(group)).GetRawText());

        var to = groups.First(g => Id(g) != Id(group)
            && g.GetProperty("group_category_id").GetInt64() == group.GetProperty("group_category_id").GetInt64());
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/memberships/{Id(accepted)}/move", new { group_id = Id(to) });
        var now = (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/groups/{Id(group)}/memberships?per_page=100",
            sandbox.Tokens.Teacher)).Items;
        Assert.DoesNotContain(now, m => Id(m) == Id(accepted)); // a member who left is not listed
        Assert.Contains(now, m => m.GetProperty("user_id").GetInt64() == outsider
            && m.GetProperty("workflow_state").GetString() == "invited");
        Assert.NotEqual(group.GetRawText(),
            (await http.GetAllAsync(groupsUrl, sandbox.Tokens.Teacher)).Items.Single(g => Id(g) == Id(group)).GetRawText());
    }

    [Fact]
    public async Task An_observer_reads_their_observees_submissions_and_neither_the_roster_nor_their_own()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Classroom });
        using var http = new HttpClient();
        var (course, _) = await CourseAsync(http, sandbox);
        var observee = (await http.GetJsonAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student)).GetProperty("id")
            .GetInt64();
        using var added = await http.PostAsync($"{sandbox.BaseUrl}/_sandbox/observers",
            new StringContent($$"""{"observee_ids":[{{observee}}]}""", System.Text.Encoding.UTF8, "application/json"));
        var parent = JsonDocument.Parse(await added.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;

        var courses = (await http.GetJsonAsync($"{sandbox.BaseUrl}/api/v1/courses?per_page=100", parent)).EnumerateArray().ToList();
        Assert.All(courses, c => Assert.Equal("observer", c.GetProperty("enrollments")[0].GetProperty("type").GetString()));
        var rows = (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/students/submissions?student_ids[]=all&per_page=100",
            parent)).Items;
        Assert.NotEmpty(rows);
        Assert.All(rows, s => Assert.Equal(observee, s.GetProperty("user_id").GetInt64()));
        foreach (var refused in new[] { "students/submissions?per_page=100", "enrollments?per_page=100", "groups?per_page=100" })
        {
            using var response = await http.GetAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/{refused}", parent);
            Assert.Equal(401, (int)response.StatusCode);
        }
    }

    private static async Task<(long Course, List<JsonElement> Assignments)> CourseAsync(HttpClient http, SandboxServer sandbox)
    {
        var course = (await http.GetJsonAsync($"{sandbox.BaseUrl}/api/v1/courses?per_page=100", sandbox.Tokens.Teacher)).EnumerateArray()
            .Where(c => c.GetProperty("workflow_state").GetString() == "available").Select(Id).Min();
        return (course, (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/assignments?per_page=100",
            sandbox.Tokens.Teacher)).Items);
    }

    private static async Task<JsonElement> AssignmentAsync(HttpClient http, SandboxServer sandbox, long course, long id) =>
        (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/assignments?per_page=100",
            sandbox.Tokens.Teacher)).Items.Single(a => Id(a) == id);

    private static async Task<List<JsonElement>> SubmissionsAsync(HttpClient http, SandboxServer sandbox, long course,
        JsonElement assignment) =>
        (await http.GetAllAsync($"{sandbox.BaseUrl}/api/v1/courses/{course}/students/submissions?student_ids[]=all&assignment_ids[]={Id(assignment)}&per_page=100",
            sandbox.Tokens.Teacher)).Items;

    private static long Id(JsonElement e) => e.GetProperty("id").GetInt64();
}
