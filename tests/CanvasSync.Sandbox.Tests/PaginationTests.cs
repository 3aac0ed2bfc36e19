using System.Net;
using System.Text.Json;
using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.Tests.Infrastructure;

namespace CanvasSync.Sandbox.Tests;

/// <summary>docs/canvas.md §3: per_page, Link headers, numbered and bookmark collections, short pages.</summary>
public sealed class PaginationTests(SandboxFixture fixture) : SandboxTest(fixture)
{

    [Theory]
    [InlineData(null, 10)]
    [InlineData("0", 1)]
    [InlineData("abc", 1)]
    [InlineData("-4", 1)]
    [InlineData("7", 7)]
    [InlineData("1000", 100)]
    [InlineData("12abc", 12)]
    public async Task Per_page_defaults_to_10_and_is_clamped_to_1_100_like_ruby_to_i(string? perPage, int expected)
    {
        var course = await CurrentCourseAsync();
        // The first rows of a teacher's submissions are all visible, so every page is full.
        var url = $"{Base}/api/v1/courses/{course}/students/submissions?student_ids[]=all" + (perPage is null ? ""
            : $"&per_page={perPage}");
        using var response = await Http.GetAsync(url, Teacher);
        var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(expected, items.GetArrayLength());
        // The effective value is written back into the links.
        Assert.All(response.Rels().Values, u => Assert.EndsWith($"&per_page={expected}", u, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Link_header_has_canvas_order_no_spaces_sorted_escaped_query_and_no_access_token()
    {
        var url = $"{Base}/api/v1/courses?state[]=available&include[]=total_scores&include[]=term&per_page=2&page=2&access_token={Student}";
        using var response = await Http.GetAsync(url, token: null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var link = response.Link()!;
        var rels = System.Text.RegularExpressions.Regex.Matches(link, "rel=\"([a-z]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["current", "next", "prev", "first", "last"], rels);
        Assert.DoesNotContain(", <", link, StringComparison.Ordinal);
        Assert.Contains(">; rel=\"current\",<", link, StringComparison.Ordinal);
        // to_query: arrays as include%5B%5D, array order kept, keys sorted; access_token never carried.
        Assert.Contains($"{Base}/api/v1/courses?include%5B%5D=total_scores&include%5B%5D=term&state%5B%5D=available&page=3&per_page=2>; rel=\"next\"", link, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", link, StringComparison.Ordinal);
        Assert.DoesNotContain(Student, link, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Numbered_collection_has_last_even_when_empty_and_past_the_end_is_empty_200_with_current_and_first()
    {
        var course = await CurrentCourseAsync();
        using var empty = await Http.GetAsync($"{Base}/api/v1/courses/{course}/assignments?search_term=no-such-assignment", Teacher);
        Assert.Equal("[]", await empty.Content.ReadAsStringAsync());
        Assert.Equal(["current", "first", "last"], empty.Rels().Keys.Order());
        Assert.EndsWith("page=1&per_page=10", empty.Rels()["last"], StringComparison.Ordinal);

        using var past = await Http.GetAsync($"{Base}/api/v1/courses/{course}/assignments?page=99&per_page=100", Teacher);
        Assert.Equal(HttpStatusCode.OK, past.StatusCode);
        Assert.Equal("[]", await past.Content.ReadAsStringAsync());
        Assert.Equal(["current", "first"], past.Rels().Keys.Order());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    public async Task Numbered_collection_with_a_bad_page_is_canvas_404(string page)
    {
        var course = await CurrentCourseAsync();
        using var response = await Http.GetAsync($"{Base}/api/v1/courses/{course}/assignments?page={page}", Teacher);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"errors":[{"message":"An error occurred.","error_code":"not_found"}]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Numbered_pages_cover_the_collection_once_and_last_is_ceiling()
    {
        var course = await CurrentCourseAsync();
        using var first = await Http.GetAsync($"{Base}/api/v1/courses/{course}/assignments?per_page=7", Teacher);
        var (all, sizes) = await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/assignments?per_page=7", Teacher);
        Assert.Equal(all.Count, all.Ids().Distinct().Count());
        Assert.EndsWith($"page={(all.Count + 6) / 7}&per_page=7", first.Rels()["last"], StringComparison.Ordinal);
        Assert.Equal((all.Count + 6) / 7, sizes.Count);
    }

    [Fact]
    public async Task Bookmark_collection_has_no_last_or_prev_and_its_links_are_opaque_bookmarks()
    {
        var course = await CurrentCourseAsync();
        using var response = await Http.GetAsync($"{Base}/api/v1/courses/{course}/enrollments?per_page=5", Teacher);
        var rels = response.Rels();
        Assert.Equal(["current", "first", "next"], rels.Keys.Order());
        Assert.Contains("page=first&per_page=5", rels["current"], StringComparison.Ordinal);
        Assert.Matches("page=bookmark:[A-Za-z0-9_-]+&per_page=5$", rels["next"]);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("bookmark:!!!notbase64")]
    [InlineData("bookmark:WzEsMiwzXQ")] // [1,2,3]: decodes, but the wrong shape for enrollments
    public async Task Bookmark_collection_treats_an_unusable_page_as_the_first_page(string page)
    {
        var course = await CurrentCourseAsync();
        var first = await Http.GetJsonAsync($"{Base}/api/v1/courses/{course}/enrollments?per_page=5", Teacher);
        var odd = await Http.GetJsonAsync($"{Base}/api/v1/courses/{course}/enrollments?per_page=5&page={page}", Teacher);
        Assert.Equal(first.EnumerateArray().Ids(), odd.EnumerateArray().Ids());
    }

    [Fact]
    public async Task Following_bookmark_next_links_returns_every_row_exactly_once()
    {
        var course = await CurrentCourseAsync();
        var (items, sizes) = await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/students/submissions?student_ids[]=all&per_page=37",
            Teacher);
        var ids = items.Ids().ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.Order(), ids); // IdBookmarker: ascending ids
        Assert.True(sizes.Count > 3);
    }

    [Fact]
    public async Task Submissions_pages_can_be_short_and_still_have_a_next_link()
    {
        // Visibility (differentiated assignments) is filtered after pagination, as in Canvas.
        var course = await CurrentCourseAsync();
        var (items, sizes) = await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/students/submissions?student_ids[]=all&per_page=100",
            Teacher);
        Assert.Contains(sizes.SkipLast(1), s => s < 100);
        var truth = await Http.TruthAsync(Fixture.Sandbox, Teacher);
        var expected = truth.GetProperty("submissions").EnumerateArray()
            .Where(s => s.GetProperty("id").GetInt64() is var id && items.Ids().Contains(id)).Count();
        Assert.Equal(expected, items.Count);
    }

    [Fact]
    public async Task Grouped_submissions_are_numbered_and_repeat_a_student_enrolled_twice_on_a_later_page()
    {
        var course = await CurrentCourseAsync();
        var (items, _) = await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/students/submissions?student_ids[]=all&grouped=1&per_page=1", Teacher);
        var users = items.Select(i => i.GetProperty("user_id").GetInt64()).ToList();
        Assert.True(users.Count > users.Distinct().Count(), "the student in two sections appears again on a later page");
    }

    [Fact]
    public async Task Link_header_stops_adding_links_past_6_KB_in_priority_order()
    {
        var course = await CurrentCourseAsync();
        var padding = new string('x', 3000);
        using var response = await Http.GetAsync($"{Base}/api/v1/courses/{course}/assignments?per_page=1&page=2&note={padding}", Teacher);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // next (priority 1) fits, last would pass 6 KB: only next is sent.
        Assert.Equal(["next"], response.Rels().Keys);
        Assert.True(response.Link()!.Length <= LinkHeader.MaxBytes);
    }

    [Fact]
    public void Ruby_to_i_reads_leading_digits_only() =>
        Assert.Equal([12L, 0, -3, 0, 100], new[] { "12abc", "abc", "-3", "", "100" }.Select(Paginator.RubyToI));
}
