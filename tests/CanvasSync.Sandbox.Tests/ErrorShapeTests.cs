using System.Net;
using CanvasSync.Sandbox.Tests.Infrastructure;

namespace CanvasSync.Sandbox.Tests;

/// <summary>docs/canvas.md §2: every error Canvas sends, byte for byte, with and without WWW-Authenticate.</summary>
public sealed class ErrorShapeTests(SandboxFixture fixture) : SandboxTest(fixture)
{

    private async Task<(HttpStatusCode Status, string Body, bool WwwAuthenticate)> GetAsync(string path, string? token)
    {
        using var r = await Http.GetAsync(Base + path, token);
        return (r.StatusCode, await r.Content.ReadAsStringAsync(), r.Headers.WwwAuthenticate.ToString() == "Bearer realm=\"canvas-lms\"");
    }

    [Fact]
    public async Task No_credentials_is_401_unauthenticated_with_www_authenticate() =>
        Assert.Equal((HttpStatusCode.Unauthorized, """{"status":"unauthenticated","errors":[{"message":"user authorization required"}]}""",
            true),
            await GetAsync("/api/v1/users/self", null));

    [Fact]
    public async Task Unknown_token_is_401_invalid_access_token_with_www_authenticate() =>
        Assert.Equal((HttpStatusCode.Unauthorized, """{"errors":[{"message":"Invalid access token."}]}""", true),
            await GetAsync("/api/v1/users/self", "7~not-a-real-token"));

    [Fact]
    public async Task Expired_token_is_401_with_expired_at()
    {
        var (status, body, www) = await GetAsync("/api/v1/users/self", Fixture.Sandbox.Tokens.Expired);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(www);
        Assert.Matches("""^\{"errors":\[\{"message":"Expired access token.","expired_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}\]\}$""", body);
    }

    [Fact]
    public async Task Revoked_token_is_401_revoked_access_token() =>
        Assert.Equal((HttpStatusCode.Unauthorized, """{"errors":[{"message":"Revoked access token."}]}""", true),
            await GetAsync("/api/v1/users/self", Fixture.Sandbox.Tokens.Revoked));

    [Fact]
    public async Task Permission_gap_is_401_without_www_authenticate()
    {
        var course = await CurrentCourseAsync();
        Assert.Equal((HttpStatusCode.Unauthorized,
            """{"status":"unauthorized","errors":[{"message":"user not authorized to perform that action"}]}""", false),
            await GetAsync($"/api/v1/courses/{course}/group_categories", Student));
    }

    [Fact]
    public async Task A_student_asking_for_another_students_submissions_gets_401_without_www_authenticate()
    {
        var course = await CurrentCourseAsync();
        var (status, _, www) = await GetAsync($"/api/v1/courses/{course}/students/submissions?student_ids[]=1", Student);
        Assert.Equal((HttpStatusCode.Unauthorized, false), (status, www));
    }

    [Fact]
    public async Task Date_restricted_course_is_a_stub_in_the_list_and_401_on_its_calls()
    {
        var courses = await Http.GetJsonAsync($"{Base}/api/v1/courses?per_page=100", Student);
        var stub = courses.EnumerateArray().Single(c => c.TryGetProperty("access_restricted_by_date", out _));
        Assert.Equal(2, stub.EnumerateObject().Count()); // only id and access_restricted_by_date
        var (status, _, www) = await GetAsync($"/api/v1/courses/{stub.GetProperty("id").GetInt64()}/assignments", Student);
        Assert.Equal((HttpStatusCode.Unauthorized, false), (status, www));
    }

    [Fact]
    public async Task Unknown_course_is_404_resource_does_not_exist() =>
        Assert.Equal((HttpStatusCode.NotFound, """{"errors":[{"message":"The specified resource does not exist."}]}""", false),
            await GetAsync("/api/v1/courses/987654321/assignments", Teacher));

    [Theory]
    [InlineData("graded_since=2026-01-01", """{"errors":{"graded_since":"Invalid datetime for graded_since"}}""")]
    [InlineData("submitted_since=yesterday", """{"errors":{"submitted_since":"Invalid datetime for submitted_since"}}""")]
    public async Task Date_only_since_filters_are_400(string query, string body)
    {
        var course = await CurrentCourseAsync();
        Assert.Equal((HttpStatusCode.BadRequest, body, false),
            await GetAsync($"/api/v1/courses/{course}/students/submissions?student_ids[]=all&{query}", Teacher));
    }

    [Fact]
    public async Task More_than_100_student_ids_is_400_too_many_students()
    {
        var course = await CurrentCourseAsync();
        var ids = string.Join("&", Enumerable.Range(1, 101).Select(i => $"student_ids[]={i}"));
        Assert.Equal((HttpStatusCode.BadRequest, """{"error":"too many students"}""", false),
            await GetAsync($"/api/v1/courses/{course}/students/submissions?{ids}", Teacher));
    }

    [Fact]
    public async Task Unknown_assignment_ids_on_submissions_are_403_not_a_throttle()
    {
        var course = await CurrentCourseAsync();
        Assert.Equal((HttpStatusCode.Forbidden, """{"error":"invalid assignment ids requested"}""", false),
            await GetAsync($"/api/v1/courses/{course}/students/submissions?student_ids[]=all&assignment_ids[]=1", Teacher));
    }

    [Fact]
    public async Task More_than_100_assignment_ids_on_assignments_is_400()
    {
        var course = await CurrentCourseAsync();
        var ids = string.Join("&", Enumerable.Range(1, 101).Select(i => $"assignment_ids[]={i}"));
        Assert.Equal((HttpStatusCode.BadRequest, """{"message":"Request contains too many assignment_ids.  Limit 100"}""", false),
            await GetAsync($"/api/v1/courses/{course}/assignments?{ids}", Teacher));
    }

    [Fact]
    public async Task Invalid_enrollment_state_is_400()
    {
        var course = await CurrentCourseAsync();
        Assert.Equal((HttpStatusCode.BadRequest, """{"error":"Invalid state bogus"}""", false),
            await GetAsync($"/api/v1/courses/{course}/enrollments?state[]=bogus", Teacher));
    }

    [Fact]
    public async Task Terms_are_admin_only_and_wrapped()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/api/v1/accounts/1/terms", Teacher)).Status);
        var wrapped = await Http.GetJsonAsync($"{Base}/api/v1/accounts/1/terms", Fixture.Sandbox.Tokens.Admin);
        Assert.True(wrapped.GetProperty("enrollment_terms").GetArrayLength() >= 4);
    }

    [Fact]
    public async Task Json_suffix_and_access_token_parameter_are_accepted()
    {
        var me = await Http.GetJsonAsync($"{Base}/api/v1/users/self.json?access_token={Student}", null);
        Assert.True(me.GetProperty("id").GetInt64() > 0);
    }
}
