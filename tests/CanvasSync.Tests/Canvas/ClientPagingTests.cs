using System.Text.Json;
using CanvasSync.Canvas;
using CanvasSync.Canvas.Wire;
using CanvasSync.Features.Planner;
using CanvasSync.Features.Submissions;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.Tests.Infrastructure;
using CanvasSync.Tests.Infrastructure;

namespace CanvasSync.Tests.Canvas;

/// <summary>The client's paging against the sandbox: many pages, bookmarks, short pages, repeats, foreign links.</summary>
public sealed class ClientPagingTests(SandboxFixture fixture) : SandboxTest(fixture), IAsyncLifetime
{
    private readonly CanvasClients _clients = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _clients.DisposeAsync();

    private static async Task<List<CanvasPage<T>>> AllPagesAsync<T>(IAsyncEnumerable<CanvasPage<T>> pages)
    {
        var list = new List<CanvasPage<T>>();
        await foreach (var page in pages) list.Add(page);
        return list;
    }

    [Fact]
    public async Task Bookmark_paged_submissions_come_whole_in_order_despite_short_pages()
    {
        var course = await CurrentCourseAsync();
        var session = _clients.Open(Fixture.Sandbox, Teacher);
        var pages = await AllPagesAsync(session.SubmissionsAsync(course, new SubmissionQuery(AllStudents: true)));

        var expected = (await Http.GetAllAsync($"{Base}/api/v1/courses/{course}/students/submissions?student_ids[]=all&per_page=100",
            Teacher)).Items;
        var got = pages.SelectMany(p => p.Items).ToList();
        Assert.Equal(expected.Ids(), got.Select(i => i.Value.Id));
        Assert.Contains(pages.SkipLast(1), p => p.Items.Count < 100);            // short pages did not stop it
        Assert.All(pages.SkipLast(1), p => Assert.Contains("page=bookmark:", p.Next!.Query, StringComparison.Ordinal));
        Assert.Null(pages[^1].Next);
        Assert.All(pages, p => Assert.EndsWith("per_page=100", p.Url.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Raw_json_is_kept_byte_for_byte_and_typed_fields_are_read()
    {
        var course = await CurrentCourseAsync();
        var session = _clients.Open(Fixture.Sandbox, Teacher);
        var items = (await AllPagesAsync(session.AssignmentsAsync(course, includeOwnSubmission: false))).SelectMany(p => p.Items).ToList();
        using var response = await Http.GetAsync($"{Base}/api/v1/courses/{course}/assignments?per_page=100", Teacher);
        var served = await response.Content.ReadAsStringAsync();
        Assert.All(items, i => Assert.Contains(i.RawJson, served, StringComparison.Ordinal)); // including \u003c escapes
        Assert.Contains(items, i => i.Value.QuizId is not null);
        Assert.Contains(items, i => i.Value.PointsPossible is null);
        Assert.Contains(items, i => i.Value.Published == false);
    }

    [Fact]
    public async Task Courses_include_concluded_ones_and_date_restricted_stubs()
    {
        var session = _clients.Open(Fixture.Sandbox, Student);
        var courses = (await AllPagesAsync(session.CoursesAsync())).SelectMany(p => p.Items).Select(i => i.Value).ToList();
        Assert.Contains(courses, c => c.WorkflowState == "completed");
        Assert.Contains(courses, c => c.AccessRestrictedByDate == true && c.Name is null);
        Assert.Contains(courses, c => c.Term?.Name is not null);
        Assert.All(courses.Where(c => c.AccessRestrictedByDate != true), c => Assert.False(c.CallerTeaches));
    }

    [Fact]
    public async Task Items_canvas_repeats_on_a_later_page_are_delivered_once()
    {
        var course = await CurrentCourseAsync();
        var session = _clients.Open(Fixture.Sandbox, Teacher);
        // grouped=1 repeats a student enrolled in two sections on a later page; key by user_id.
        var pages = await AllPagesAsync(session.PagesAsync("grouped", $"/api/v1/courses/{course}/students/submissions?student_ids[]=all&grouped=1&per_page=1",
            CanvasWireContext.Default.CanvasUser, e => e.GetProperty("user_id").GetRawText()));
        var keys = pages.SelectMany(p => p.Items).Select(i => i.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.True(session.Accounting.DuplicateItems > 0);
    }

    [Fact]
    public async Task Since_filters_go_out_as_full_iso_datetimes_and_canvas_accepts_them()
    {
        var course = await CurrentCourseAsync();
        var session = _clients.Open(Fixture.Sandbox, Teacher);
        var since = DateTime.UtcNow.AddDays(-30);
        var pages = await AllPagesAsync(session.SubmissionsAsync(course, new SubmissionQuery(true, GradedSince: since)));
        Assert.Contains("graded_since=" + SubmissionsCollection.Iso8601(since), pages[0].Url.OriginalString, StringComparison.Ordinal);
        Assert.All(pages.SelectMany(p => p.Items), i => Assert.True(i.Value.GradedAt > since));
    }

    [Fact]
    public async Task Planner_items_are_keyed_by_type_and_plannable_id()
    {
        var session = _clients.Open(Fixture.Sandbox, Student);
        var items = (await AllPagesAsync(session.PlannerItemsAsync(DateTime.UtcNow))).SelectMany(p => p.Items).ToList();
        Assert.Contains(items, i => i.Key.StartsWith("quiz:", StringComparison.Ordinal) && i.Value.Plannable?.AssignmentId is not null);
        Assert.Equal(items.Count, items.Select(i => i.Key).Distinct().Count());
    }

    /// <summary>
    /// A delta's planner listing names several courses; its last page tombstones by the courses its own URL names, so
    /// every page's link must keep them (Canvas rebuilds the query into each link).
    /// </summary>
    [Fact]
    public async Task A_planner_listing_of_several_courses_keeps_naming_them_on_every_page()
    {
        var session = _clients.Open(Fixture.Sandbox, Student);
        var courses = (await AllPagesAsync(session.CoursesAsync())).SelectMany(p => p.Items).Select(c => c.Value)
            .Where(c => c.WorkflowState == "available").Select(c => c.Id).Take(2).ToList();
        var url = PlannerItemsCollection.FirstPage(DateTime.UtcNow).Replace("per_page=100", "per_page=3", StringComparison.Ordinal)
            + string.Concat(courses.Select(id => $"&context_codes[]=course_{id}"));

        var pages = await AllPagesAsync(PlannerItemsCollection.Instance.PagesAsync(session, url));

        Assert.True(pages.Count > 1, "several pages");
        Assert.All(pages, p => Assert.Equal(courses.Order(), PlannerItemsCollection.NamedCourses(p.Url).Order()));
        Assert.Equal(courses.Order(), pages.SelectMany(p => p.Items).Select(i => i.Value.CourseId ?? 0).Distinct().Order());
    }

    [Fact]
    public async Task Requests_say_who_they_are_and_accept_gzip()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        var session = _clients.Open(sandbox, sandbox.Tokens.Teacher);
        await foreach (var _ in session.CoursesAsync()) { }
        var stats = await Http.GetJsonAsync($"{sandbox.BaseUrl}/_sandbox/stats", null);
        Assert.Equal(["CanvasSync/0.1.0"], stats.GetProperty("user_agents").EnumerateArray().Select(u => u.GetString()));
        // Fewer bytes went over the wire than the client read: the bodies were gzipped and decompressed on arrival.
        Assert.True(stats.GetProperty("bytes").GetInt64() < session.Accounting.Bytes);
    }

    [Fact]
    public async Task A_next_link_to_another_host_is_refused_and_never_requested()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        sandbox.Settings.ForeignLinkOrigin = "http://evil.example:8080";
        var session = _clients.Open(sandbox, sandbox.Tokens.Teacher);
        var course = (await Http.GetJsonAsync($"{sandbox.BaseUrl}/api/v1/courses?per_page=100", sandbox.Tokens.Teacher)).EnumerateArray()
            .First(c => c.TryGetProperty("name", out _)).GetProperty("id").GetInt64();
        var e = await Assert.ThrowsAsync<CanvasProtocolException>(async () =>
        {
            await foreach (var _ in session.SubmissionsAsync(course, new SubmissionQuery(true))) { }
        });
        Assert.Contains("evil.example", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, session.Accounting.Requests);
    }

    /// <summary>
    /// Canvas adds page links to its Link header, next first, only while the header stays under 6 KB: a query long
    /// enough loses them all. The list cannot be known complete then, so it is an error, never the end of the list.
    /// </summary>
    [Fact]
    public async Task A_page_whose_links_canvas_dropped_for_length_is_an_error_not_the_end()
    {
        var course = await CurrentCourseAsync();
        var session = _clients.Open(Fixture.Sandbox, Teacher);
        var longQuery = $"/api/v1/courses/{course}/students/submissions?student_ids[]=all&search_note={new string('x', 6200)}&per_page=100";

        var e = await Assert.ThrowsAsync<CanvasPageLinksLostException>(async () =>
        {
            await foreach (var _ in SubmissionsCollection.Instance.PagesAsync(session, longQuery)) { }
        });
        Assert.Contains("6 KB", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, session.Accounting.Requests);
    }

    [Fact]
    public async Task A_path_or_url_on_another_host_is_refused_before_any_request()
    {
        var session = _clients.Open(Fixture.Sandbox, Teacher);
        await Assert.ThrowsAsync<CanvasProtocolException>(async () =>
        {
            await foreach (var _ in session.PagesAsync("x", "http://169.254.169.254/latest/meta-data",
                CanvasWireContext.Default.CanvasUser)) { }
        });
        Assert.Equal(0, session.Accounting.Requests);
    }

    [Fact]
    public async Task An_item_that_cannot_be_read_is_skipped_and_counted_not_fatal()
    {
        var course = await CurrentCourseAsync();
        var session = _clients.Open(Fixture.Sandbox, Teacher);
        // Read enrollments as if they were planner items: none has plannable_type, so each is skipped, none throws.
        var pages = await AllPagesAsync(session.PagesAsync("odd", $"/api/v1/courses/{course}/enrollments?per_page=100",
            PlannerItemsWire.Default.CanvasPlannerItem, PlannerItemsCollection.Key));
        Assert.Empty(pages.SelectMany(p => p.Items));
        Assert.True(session.Accounting.SkippedItems > 0);
    }

    [Fact]
    public void Link_headers_are_read_case_insensitively_and_exactly() =>
        Assert.Equal("https://c.example/api/v1/x?page=bookmark:WzFd&per_page=100",
            LinkHeader.Parse(["<https://c.example/api/v1/x?page=1>; REL=\"Current\",<https://c.example/api/v1/x?page=bookmark:WzFd&per_page=100>; rel=\"NEXT\""])["next"]);

    [Fact]
    public void Json_element_ids_are_keys_whether_numbers_or_strings()
    {
        using var doc = JsonDocument.Parse("""[{"id":170000000004007},{"id":"42"},{"name":"x"}]""");
        Assert.Equal(["170000000004007", "42", null], doc.RootElement.EnumerateArray().Select(CanvasSession.IdKey));
    }
}
