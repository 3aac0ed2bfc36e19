using System.Text;
using System.Text.Json;
using CanvasSync.Sandbox.Tests.Infrastructure;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Tests;

/// <summary>docs/canvas.md §1 and §5: encodings, fields, visibility and the awkward data real Canvas serves.</summary>
public sealed class CanvasDataTests(SandboxFixture fixture) : SandboxTest(fixture)
{
    private async Task<List<JsonElement>> AssignmentsAsync(long course, string token, string query = "") =>
        (await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/assignments?per_page=100{query}", token)).Items;

    [Fact]
    public async Task Json_is_raw_utf8_with_rails_escaping_and_ruby_floats()
    {
        var course = await CurrentCourseAsync();
        using var r = await Http.GetAsync($"{Base}/api/v1/courses/{course}/assignments?per_page=100", Teacher);
        var bytes = await r.Content.ReadAsByteArrayAsync();
        var raw = Encoding.UTF8.GetString(bytes);
        Assert.Equal("application/json; charset=utf-8", r.Content.Headers.ContentType!.ToString());
        Assert.DoesNotContain("<p>", raw, StringComparison.Ordinal);            // HTML is escaped...
        Assert.Contains("\\u003cp\\u003e", raw, StringComparison.Ordinal);      // ...lowercase, as Rails does
        Assert.Contains("\\u0026amp;", raw, StringComparison.Ordinal);
        Assert.Contains("🎉", raw, StringComparison.Ordinal);                    // emoji stay raw UTF-8
        Assert.Contains("\\u2028", raw, StringComparison.Ordinal);
        Assert.Contains("\"points_possible\":10.0", raw, StringComparison.Ordinal);
        Assert.Matches("\"due_at\":\"\\d{4}-\\d\\d-\\d\\dT0[56]:59:59Z\"", raw);
        Assert.Matches("W/\"[0-9a-f]+\"", r.Headers.ETag!.ToString());
        // and a JSON parser restores the HTML.
        Assert.Contains(JsonDocument.Parse(bytes).RootElement.EnumerateArray(), a => a.TryGetProperty("description", out var d)
            && d.GetString()?.Contains("<p>", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Bodies_are_gzipped_when_the_client_asks()
    {
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.None });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Base}/api/v1/courses?per_page=100");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Teacher);
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var r = await http.SendAsync(request);
        Assert.Equal("gzip", Assert.Single(r.Content.Headers.ContentEncoding));
        await using var gz = new System.IO.Compression.GZipStream(await r.Content.ReadAsStreamAsync(),
            System.IO.Compression.CompressionMode.Decompress);
        using var doc = await JsonDocument.ParseAsync(gz);
        Assert.True(doc.RootElement.GetArrayLength() > 0);
    }

    [Fact]
    public async Task Courses_default_leaves_concluded_out_and_state_completed_brings_it_back()
    {
        var current = await CoursesAsync(Student);
        var all = await CoursesAsync(Student, "&state[]=available&state[]=completed");
        Assert.DoesNotContain(current, c => c.TryGetProperty("workflow_state", out var s) && s.GetString() == "completed");
        Assert.Contains(all, c => c.TryGetProperty("workflow_state", out var s) && s.GetString() == "completed");
    }

    [Fact]
    public async Task Courses_are_sorted_by_name_one_has_a_global_id_and_terms_come_with_include_term()
    {
        var courses = await CoursesAsync(Teacher, "&include[]=term");
        var names = courses.Where(c => c.TryGetProperty("name", out _)).Select(c => c.GetProperty("name").GetString()!).ToList();
        Assert.Equal(names.Order(StringComparer.InvariantCultureIgnoreCase), names);
        Assert.Contains(courses, c => c.GetProperty("id").GetInt64() > 170_000_000_000_000);
        Assert.Contains(courses, c => c.TryGetProperty("term", out var t) && t.GetProperty("name").GetString() == "Default Term"
            && t.GetProperty("start_at").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task Total_scores_are_omitted_when_the_course_hides_final_grades()
    {
        var courses = await CoursesAsync(Student, "&include[]=total_scores");
        var hidden = courses.Single(c => c.TryGetProperty("hide_final_grades", out var h) && h.GetBoolean());
        Assert.False(hidden.GetProperty("enrollments")[0].TryGetProperty("computed_current_score", out _));
        Assert.Contains(courses, c => c.TryGetProperty("enrollments", out var e) && e[0].TryGetProperty("computed_current_score", out _));
    }

    [Fact]
    public async Task Teachers_see_unpublished_assignments_students_do_not_and_deleted_ones_are_gone_for_both()
    {
        var course = await CurrentCourseAsync();
        var teacher = await AssignmentsAsync(course, Teacher);
        var student = await AssignmentsAsync(course, Student);
        var unpublished = teacher.Single(a => !a.GetProperty("published").GetBoolean());
        Assert.DoesNotContain(student, a => a.GetProperty("id").GetInt64() == unpublished.GetProperty("id").GetInt64());
        // 40 generated, one deleted: teachers see 39.
        Assert.Equal(39, teacher.Count);
        Assert.False(student[0].TryGetProperty("needs_grading_count", out _));
        Assert.True(teacher[0].TryGetProperty("needs_grading_count", out _));
    }

    [Fact]
    public async Task A_locked_assignment_loses_its_description_key_for_students_and_gains_lock_info()
    {
        var course = await CurrentCourseAsync();
        var locked = (await AssignmentsAsync(course, Student)).First(a => a.GetProperty("locked_for_user").GetBoolean());
        Assert.False(locked.TryGetProperty("description", out _));
        Assert.True(locked.TryGetProperty("lock_info", out _));
        var asTeacher = (await AssignmentsAsync(course, Teacher)).Single(a => a.GetProperty("id").GetInt64() == locked.GetProperty("id")
            .GetInt64());
        Assert.True(asTeacher.TryGetProperty("description", out _));
    }

    [Fact]
    public async Task The_awkward_assignments_are_all_there()
    {
        var course = await CurrentCourseAsync();
        var all = await AssignmentsAsync(course, Teacher);
        Assert.Contains(all, a => a.GetProperty("due_at").ValueKind == JsonValueKind.Null);
        Assert.Contains(all, a => a.GetProperty("points_possible").ValueKind == JsonValueKind.Null);
        Assert.Contains(all, a => a.GetProperty("points_possible").ValueKind == JsonValueKind.Number && a.GetProperty("points_possible")
            .GetDouble() == 0);
        Assert.Contains(all, a => a.GetProperty("description").ValueKind == JsonValueKind.Null);
        Assert.Contains(all, a => a.GetProperty("description").GetString() == "");
        Assert.Contains(all, a => a.GetProperty("description").GetString()?.Length > 190_000);
        Assert.Contains(all, a => a.GetProperty("description").GetString()?.Contains("<script>", StringComparison.Ordinal) == true);
        Assert.Contains(all, a => a.GetProperty("name").GetString()!.Length > 200);
        Assert.Contains(all.GroupBy(a => a.GetProperty("name").GetString()), g => g.Count() > 1);
        Assert.Contains(all, a => a.TryGetProperty("quiz_id", out _));
        Assert.Contains(all, a => a.TryGetProperty("discussion_topic", out _));
        Assert.Contains(all, a => a.TryGetProperty("is_quiz_lti_assignment", out _));
        Assert.Contains(all, a => a.GetProperty("only_visible_to_overrides").GetBoolean());
    }

    [Fact]
    public async Task Include_submission_embeds_a_students_own_submission_and_unposted_grades_lose_their_keys()
    {
        var course = await CurrentCourseAsync();
        var mine = await AssignmentsAsync(course, Student, "&include[]=submission");
        Assert.All(mine, a => Assert.True(a.TryGetProperty("submission", out _)));
        var manual = mine.Single(a => a.GetProperty("post_manually").GetBoolean());
        var sub = manual.GetProperty("submission");
        Assert.False(sub.TryGetProperty("score", out _));
        Assert.False(sub.TryGetProperty("grade", out _));
        Assert.False(sub.TryGetProperty("entered_score", out _));

        // The teacher sees every key of the same rows.
        var rows = (await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/students/submissions?student_ids[]=all&assignment_ids[]={manual.GetProperty("id").GetInt64()}&per_page=100", Teacher)).Items;
        Assert.All(rows, s => Assert.True(s.TryGetProperty("score", out _)));
    }

    [Fact]
    public async Task Teacher_submissions_include_every_student_state_and_the_real_oddities()
    {
        var course = await CurrentCourseAsync();
        var rows = (await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/students/submissions?student_ids[]=all&per_page=100",
            Teacher)).Items;
        var defaultRoster = (await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/enrollments?per_page=100", Teacher)).Items;
        var rosterUsers = defaultRoster.Select(e => e.GetProperty("user_id").GetInt64()).ToHashSet();
        // Dropped (completed) students are not in the default roster but their submissions are served.
        Assert.Contains(rows, s => !rosterUsers.Contains(s.GetProperty("user_id").GetInt64()));
        Assert.Contains(defaultRoster, e => e.GetProperty("type").GetString() == "StudentViewEnrollment");
        Assert.Contains(defaultRoster, e => e.GetProperty("enrollment_state").GetString() == "inactive");
        Assert.Contains(defaultRoster, e => e.GetProperty("enrollment_state").GetString() == "invited");
        Assert.DoesNotContain(defaultRoster, e => e.GetProperty("enrollment_state").GetString() == "completed");
        Assert.Contains(rows, s => s.GetProperty("grader_id").ValueKind == JsonValueKind.Number && s.GetProperty("grader_id")
            .GetInt64() < 0);
        Assert.Contains(rows, s => s.GetProperty("excused").GetBoolean() && s.GetProperty("score").ValueKind == JsonValueKind.Null);
        Assert.Contains(rows, s => s.GetProperty("late").GetBoolean() && s.GetProperty("points_deducted")
            .ValueKind == JsonValueKind.Number);
        Assert.Contains(rows, s => s.GetProperty("missing").GetBoolean());
        Assert.Contains(rows, s => s.GetProperty("workflow_state").GetString() == "unsubmitted" && s.GetProperty("attempt")
            .ValueKind == JsonValueKind.Null);
        Assert.Contains(rows, s => s.GetProperty("workflow_state").GetString() == "pending_review");
        Assert.Contains(rows, s => s.GetProperty("submission_type").GetString() == "basic_lti_launch");
        Assert.Contains(rows, s => s.GetProperty("grade").GetString() is { } g && !g.Contains('.', StringComparison.Ordinal)
            && double.TryParse(g, out _));
        // A student enrolled in two sections: two enrollments, one user.
        Assert.Contains(defaultRoster.GroupBy(e => e.GetProperty("user_id").GetInt64()), g => g.Count() > 1);
    }

    [Fact]
    public async Task Graded_since_a_served_value_returns_that_row_again_because_canvas_keeps_microseconds()
    {
        var course = await CurrentCourseAsync();
        var rows = (await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/students/submissions?student_ids[]=all&order=graded_at&per_page=100", Teacher)).Items;
        var last = rows[^1];
        var again = (await Http.GetAllAsync(
            $"{Base}/api/v1/courses/{course}/students/submissions?student_ids[]=all&graded_since={last.GetProperty("graded_at").GetString()}&per_page=100", Teacher)).Items;
        Assert.Contains(again, s => s.GetProperty("id").GetInt64() == last.GetProperty("id").GetInt64());
        Assert.All(again, s => Assert.True(string.CompareOrdinal(s.GetProperty("graded_at").GetString(), last.GetProperty("graded_at")
            .GetString()) >= 0));
    }

    [Fact]
    public async Task Enrollment_grades_depend_on_who_asks()
    {
        var course = await CurrentCourseAsync();
        var asStudent = (await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/enrollments?type[]=StudentEnrollment&per_page=100",
            Student)).Items;
        var me = (await Http.GetJsonAsync($"{Base}/api/v1/users/self", Student)).GetProperty("id").GetInt64();
        var own = asStudent.First(e => e.GetProperty("user_id").GetInt64() == me).GetProperty("grades");
        var classmate = asStudent.First(e => e.GetProperty("user_id").GetInt64() != me).GetProperty("grades");
        Assert.True(own.TryGetProperty("current_score", out _));
        Assert.False(own.TryGetProperty("unposted_current_score", out _));
        Assert.Equal(["html_url"], classmate.EnumerateObject().Select(p => p.Name));
        var asTeacher = (await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/enrollments?type[]=StudentEnrollment&per_page=100",
            Teacher)).Items;
        Assert.True(asTeacher[0].GetProperty("grades").TryGetProperty("unposted_current_score", out _));
    }

    [Fact]
    public async Task Students_get_401_on_group_categories_teachers_get_groups_with_members_and_memberships_in_every_state()
    {
        var course = await CurrentCourseAsync();
        var categories = await Http.GetJsonAsync($"{Base}/api/v1/courses/{course}/group_categories", Teacher);
        Assert.True(categories.GetArrayLength() >= 1);
        var groups = (await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/groups?include[]=users&per_page=100", Teacher)).Items;
        Assert.Contains(groups, g => g.GetProperty("members_count").GetInt32() == 0);
        var states = new HashSet<string>();
        foreach (var g in groups)
        {
            var m = (await Http.GetAllAsync($"{Base}/api/v1/groups/{g.GetProperty("id").GetInt64()}/memberships?per_page=100",
                Teacher)).Items;
            states.UnionWith(m.Select(x => x.GetProperty("workflow_state").GetString()!));
        }

        Assert.Contains("accepted", states);
        Assert.True(states.Contains("invited") || states.Contains("requested"));
    }

    [Fact]
    public void Generation_is_deterministic_by_seed_and_profile()
    {
        var anchor = new DateTime(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc);
        var (a, ta) = WorldGenerator.Generate(SandboxProfile.Student, 5, anchor);
        var (b, tb) = WorldGenerator.Generate(SandboxProfile.Student, 5, anchor);
        var (c, _) = WorldGenerator.Generate(SandboxProfile.Student, 6, anchor);
        Assert.Equal(ta, tb with { Campus = ta.Campus });
        Assert.Equal(a.Submissions.Values.OrderBy(s => s.Id), b.Submissions.Values.OrderBy(s => s.Id));
        Assert.NotEqual(a.Submissions.Values.Select(s => s.Score), c.Submissions.Values.Select(s => s.Score));
        Assert.Matches("^7~[A-Za-z0-9]{64}$", ta.Student);
    }

    [Theory]
    [InlineData(SandboxProfile.Instructor, 5, 200, 40)]
    [InlineData(SandboxProfile.Campus, 6, 0, 30)]
    public void Profiles_have_the_sizes_the_issues_name(SandboxProfile profile, int courses, int studentsPerCourse, int assignments)
    {
        var (world, tokens) = WorldGenerator.Generate(profile, 1, new DateTime(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc));
        var teacherId = world.Tokens[tokens.Teacher].UserId;
        var taught = world.EnrollmentsOfUser(teacherId).Select(e => world.Courses[e.CourseId]).Where(c => c.WorkflowState != "unpublished")
            .ToList();
        Assert.Equal(courses, taught.Count);
        Assert.All(taught, c => Assert.Equal(assignments, world.AssignmentsInCourse(c.Id).Count()));
        if (studentsPerCourse > 0)
            Assert.All(taught, c => Assert.Equal(studentsPerCourse, world.EnrollmentsInCourse(c.Id)
                .Where(e => e.Type == "StudentEnrollment" && e.State == "active").Select(e => e.UserId).Distinct().Count()));
        else Assert.Equal(40, tokens.Campus.Count);
    }
}
