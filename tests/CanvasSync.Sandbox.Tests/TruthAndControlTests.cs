using System.Net;
using System.Text.Json;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.Tests.Infrastructure;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Tests;

/// <summary>The control API: the truth agrees with what HTTP serves, and mutations behave as real activity.</summary>
public sealed class TruthAndControlTests
{
    private static readonly string[] Collections =
        ["courses", "assignment_groups", "assignments", "submissions", "enrollments", "groups", "group_memberships"];

    [Theory]
    [InlineData(SandboxProfile.Student, "student")]
    [InlineData(SandboxProfile.Student, "teacher")]
    public async Task The_truth_equals_a_full_crawl_over_http_and_its_request_count_is_exact(SandboxProfile profile, string who)
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = profile });
        using var http = new HttpClient();
        var token = who == "student" ? sandbox.Tokens.Student : sandbox.Tokens.Teacher;
        var truth = await http.TruthAsync(sandbox, token);
        await http.PostAsync($"{sandbox.BaseUrl}/_sandbox/stats/reset", null);

        // Walk the truth's own plan over real HTTP, following next links as given.
        var fetched = new Dictionary<string, HashSet<string>>();
        foreach (var url in truth.GetProperty("plan").EnumerateArray().Select(p => p.GetString()!))
        {
            var collection = CollectionOf(url);
            using var first = await http.GetAsync(sandbox.BaseUrl + url, token);
            if (first.StatusCode != HttpStatusCode.OK) continue;
            var body = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
            if (body.ValueKind != JsonValueKind.Array) continue;
            var items = body.EnumerateArray().ToList();
            if (first.Rels().TryGetValue("next", out var next)) items.AddRange((await http.GetAllAsync(next, token)).Items);
            if (!fetched.TryGetValue(collection, out var set)) fetched[collection] = set = [];
            set.UnionWith(items.Select(i => i.GetRawText()));
        }

        foreach (var c in Collections.Where(fetched.ContainsKey))
            Assert.Equal(truth.GetProperty(c).EnumerateArray().Select(i => i.GetRawText()).ToHashSet(), fetched[c]);
        var stats = await http.GetJsonAsync($"{sandbox.BaseUrl}/_sandbox/stats", null);
        // A student's own rows come embedded in their assignments, byte for byte as students/submissions lists them, so
        // the listing is the truth's check and not part of the minimum.
        var ownListings = 0L;
        if (who == "student")
        {
            var embedded = fetched["assignments"].Select(a => JsonDocument.Parse(a).RootElement)
                .Where(a => a.TryGetProperty("submission", out _)).Select(a => a.GetProperty("submission").GetRawText()).ToHashSet();
            Assert.Equal(fetched["submissions"], embedded);
            ownListings = stats.GetProperty("by_endpoint").GetProperty("/api/v1/courses/{courseId}/students/submissions").GetInt64();
        }

        Assert.Equal(truth.GetProperty("min_requests").GetInt64(), stats.GetProperty("requests").GetInt64() - ownListings);
    }

    private static string CollectionOf(string url) => url switch
    {
        _ when url.Contains("/students/submissions", StringComparison.Ordinal) => "submissions",
        _ when url.Contains("/assignment_groups", StringComparison.Ordinal) => "assignment_groups",
        _ when url.Contains("/assignments", StringComparison.Ordinal) => "assignments",
        _ when url.Contains("/enrollments", StringComparison.Ordinal) => "enrollments",
        _ when url.Contains("/group_categories", StringComparison.Ordinal) => "group_categories",
        _ when url.Contains("/memberships", StringComparison.Ordinal) => "group_memberships",
        _ when url.Contains("/groups", StringComparison.Ordinal) => "groups",
        _ when url.Contains("/planner", StringComparison.Ordinal) => "planner_items",
        _ when url.Contains("/courses", StringComparison.Ordinal) => "courses",
        _ => "users_self",
    };

    [Fact]
    public async Task Mutations_change_what_canvas_serves_as_real_activity_would()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Student });
        using var http = new HttpClient();
        var before = await http.TruthAsync(sandbox, sandbox.Tokens.Teacher);
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/mutate", new
        {
            seed = 4,
            update_assignments = 3,
            create_assignments = 2,
            delete_assignments = 1,
            grade_submissions = 10,
            submit_submissions = 5,
        });
        var after = await http.TruthAsync(sandbox, sandbox.Tokens.Teacher);

        static Dictionary<long, JsonElement> ById(JsonElement truth, string c) =>
            truth.GetProperty(c).EnumerateArray().ToDictionary(i => i.GetProperty("id").GetInt64());
        var a0 = ById(before, "assignments");
        var a1 = ById(after, "assignments");
        Assert.Equal(a0.Count + 2 - 1, a1.Count);
        var edited = a1.Values.Where(a => a0.TryGetValue(a.GetProperty("id").GetInt64(), out var old) && old.GetRawText() != a.GetRawText())
            .ToList();
        Assert.Equal(3, edited.Count);
        // Editing moves updated_at; grading never does.
        Assert.All(edited, a => Assert.NotEqual(a0[a.GetProperty("id").GetInt64()].GetProperty("updated_at").GetString(),
            a.GetProperty("updated_at").GetString()));

        var s0 = ById(before, "submissions");
        var s1 = ById(after, "submissions");
        var changed = s1.Values.Count(s => s0.TryGetValue(s.GetProperty("id").GetInt64(), out var old)
            && old.GetRawText() != s.GetRawText());
        Assert.InRange(changed, 10, 15);
    }

    [Fact]
    public async Task A_revoked_token_is_dead_at_once_and_restoring_brings_it_back()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        using var http = new HttpClient();
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/tokens/revoke", new { token = sandbox.Tokens.Student });
        using (var r = await http.GetAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student))
            Assert.Equal("""{"errors":[{"message":"Revoked access token."}]}""", await r.Content.ReadAsStringAsync());
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/tokens/restore", new { token = sandbox.Tokens.Student });
        using (var r = await http.GetAsync($"{sandbox.BaseUrl}/api/v1/users/self", sandbox.Tokens.Student))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    [Fact]
    public async Task Settings_change_at_run_time()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        using var http = new HttpClient();
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/settings", new { throttle_status = 429, fault_rate = 0.5, latency_ms = 20 });
        var s = await http.GetJsonAsync($"{sandbox.BaseUrl}/_sandbox/settings", null);
        Assert.Equal(429, s.GetProperty("throttle_status").GetInt32());
        Assert.Equal(0.5, s.GetProperty("fault_rate").GetDouble());
        Assert.Equal(20, sandbox.Settings.LatencyMs);
    }
}
