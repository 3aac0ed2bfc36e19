namespace CanvasSync.Sandbox.Tests.Infrastructure;

/// <summary>A test class that reads the shared student-profile sandbox, with the accessors every such test uses.</summary>
public abstract class SandboxTest(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    protected SandboxFixture Fixture => fixture;
    protected HttpClient Http => fixture.Http;
    protected string Base => fixture.Sandbox.BaseUrl;
    protected string Teacher => fixture.Sandbox.Tokens.Teacher;
    protected string Student => fixture.Sandbox.Tokens.Student;

    /// <summary>The caller's course list (one page of 100), with <paramref name="query"/> added.</summary>
    protected async Task<List<System.Text.Json.JsonElement>> CoursesAsync(string token, string query = "") =>
        (await Http.GetJsonAsync($"{Base}/api/v1/courses?per_page=100{query}", token)).EnumerateArray().ToList();

    /// <summary>"Biology 101": a current course that the teacher teaches and the student takes.</summary>
    protected async Task<long> CurrentCourseAsync() =>
        (await Http.GetJsonAsync($"{Base}/api/v1/courses?per_page=100", Teacher)).EnumerateArray()
            .First(c => c.TryGetProperty("name", out var n) && n.GetString()!.StartsWith("Biology", StringComparison.Ordinal))
            .GetProperty("id").GetInt64();
}
