using System.Text.Json;
using CanvasSync.Sandbox.Tests.Infrastructure;

namespace CanvasSync.Sandbox.Tests;

/// <summary>docs/canvas.md §5.8: the student planner's items, window and contexts.</summary>
public sealed class PlannerTests(SandboxFixture fixture) : SandboxTest(fixture)
{
    [Fact]
    public async Task Planner_items_key_quizzes_and_discussions_by_their_own_ids()
    {
        var yearAgo = DateTime.UtcNow.AddYears(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var items = (await Http.GetAllAsync($"{Base}/api/v1/planner/items?start_date={yearAgo}&per_page=100", Student)).Items;
        var quiz = items.First(i => i.GetProperty("plannable_type").GetString() == "quiz");
        Assert.NotEqual(quiz.GetProperty("plannable_id").GetInt64(), quiz.GetProperty("plannable").GetProperty("assignment_id").GetInt64());
        Assert.Contains(items, i => i.GetProperty("plannable_type").GetString() == "discussion_topic");
        Assert.Contains(items, i => i.GetProperty("plannable_type").GetString() == "planner_note" && i.GetProperty("submissions")
            .ValueKind == JsonValueKind.False);
        // No dates: only the two weeks either side of today.
        var window = (await Http.GetAllAsync($"{Base}/api/v1/planner/items?per_page=100", Student)).Items;
        Assert.True(window.Count < items.Count);
    }

    /// <summary>
    /// context_codes[] keeps the named courses' items, as the whole planner serves them; a concluded course, which the
    /// whole planner leaves out, is added back when named (planner_controller set_params); a course the caller may
    /// not read is 401, one that does not exist is dropped.
    /// </summary>
    [Fact]
    public async Task Planner_context_codes_keep_the_named_courses_and_add_a_concluded_one_back()
    {
        var planner = $"{Base}/api/v1/planner/items?start_date={DateTime.UtcNow.AddYears(-1):yyyy-MM-dd}&per_page=100";
        var whole = (await Http.GetAllAsync(planner, Student)).Items;
        var current = await CurrentCourseAsync();
        var one = (await Http.GetAllAsync($"{planner}&context_codes[]=course_{current}", Student)).Items;
        Assert.NotEmpty(one);
        Assert.Equal(whole.Where(i => CourseOf(i) == current).Select(i => i.GetRawText()), one.Select(i => i.GetRawText()));

        var concluded = (await CoursesAsync(Student, "&enrollment_state=completed")).Ids().First();
        Assert.DoesNotContain(whole, i => CourseOf(i) == concluded);
        var named = (await Http.GetAllAsync($"{planner}&context_codes[]=course_{concluded}", Student)).Items;
        Assert.NotEmpty(named);
        Assert.All(named, i => Assert.Equal(concluded, CourseOf(i)));

        // A course not started for the student (a stub in their list) and another user are theirs to name but not to read.
        var notStarted = (await CoursesAsync(Student)).First(c => c.TryGetProperty("access_restricted_by_date", out var r)
            && r.GetBoolean()).GetProperty("id").GetInt64();
        var teacher = (await Http.GetJsonAsync($"{Base}/api/v1/users/self", Teacher)).GetProperty("id").GetInt64();
        foreach (var unreadable in new[] { $"course_{notStarted}", $"user_{teacher}" })
        {
            using var refused = await Http.GetAsync($"{planner}&context_codes[]=course_{current}&context_codes[]={unreadable}", Student);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.Empty((await Http.GetAllAsync($"{planner}&context_codes[]=course_999999999", Student)).Items);
    }

    private static long? CourseOf(JsonElement item) => item.TryGetProperty("course_id", out var c) ? c.GetInt64() : null;
}
