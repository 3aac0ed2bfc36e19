using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.World;
using Microsoft.AspNetCore.Http;

namespace CanvasSync.Sandbox.Control;

/// <summary>
/// The truth for a token: everything it can read, fetched by a reference sync that calls the sandbox's own handlers
/// in process (no network, no throttle, no faults) at per_page=100 and follows rel="next" exactly. Because it uses
/// the same handlers as HTTP, the truth can never drift from what the API serves, and its request count is the
/// minimum a full sync needs. The plan it follows is listed in <see cref="Truth.Plan"/>.
/// </summary>
internal sealed partial class ReferenceCrawler(SandboxWorld world, SandboxRoutes routes, string baseUrl, TimeProvider time)
{
    [GeneratedRegex("<([^>]+)>;\\s*rel=\"next\"", RegexOptions.IgnoreCase)]
    private static partial Regex NextLink();

    public static readonly string[] Collections =
    [
        "courses", "terms", "assignment_groups", "assignments", "submissions", "enrollments",
        "group_categories", "groups", "group_memberships", "planner_items",
    ];

    public Truth Crawl(SUser user, bool keepItems)
    {
        var truth = new Truth(keepItems);
        var self = Fetch(truth, "users_self", "/api/v1/users/self", user);
        truth.User = self.FirstOrDefault();

        var courses = Fetch(truth, "courses",
            "/api/v1/courses?include[]=term&include[]=total_scores&state[]=unpublished&state[]=available&state[]=completed&per_page=100",
            user);
        var isStudentSomewhere = false;
        foreach (var course in courses)
        {
            using var doc = JsonDocument.Parse(course);
            var c = doc.RootElement;
            truth.Add("courses", course, c.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture));
            if (c.TryGetProperty("access_restricted_by_date", out _)) continue;
            if (c.TryGetProperty("term", out var term))
                truth.Add("terms", term.GetRawText(), term.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture));

            var id = c.GetProperty("id").GetInt64();
            var types = c.GetProperty("enrollments").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
            var teacher = types.Any(t => t is "teacher" or "ta");
            // An observer reads their observees' work, and neither the roster nor the groups (no read_roster).
            var observer = !teacher && types.All(t => t == "observer");
            isStudentSomewhere |= !teacher && !observer;
            var prefix = $"/api/v1/courses/{id}";
            FetchInto(truth, "assignment_groups", $"{prefix}/assignment_groups?per_page=100", user);
            FetchInto(truth, "assignments", $"{prefix}/assignments?per_page=100" + (teacher || observer ? "" : "&include[]=submission"),
                user);
            // A student's own rows come embedded in the assignments just read, so a full sync needs no request for them:
            // the listing is the truth they are compared with, and not part of the minimum.
            FetchInto(truth, "submissions", $"{prefix}/students/submissions?per_page=100" + (teacher || observer ? "&student_ids[]=all"
                : ""), user, counted: teacher || observer);
            if (observer) continue;
            FetchInto(truth, "enrollments", $"{prefix}/enrollments?state[]=active&state[]=invited&state[]=creation_pending&state[]=inactive&state[]=completed&per_page=100", user);
            if (teacher) FetchInto(truth, "group_categories", $"{prefix}/group_categories?per_page=100", user);
            foreach (var group in Fetch(truth, "groups", $"{prefix}/groups?include[]=users&per_page=100", user))
            {
                using var g = JsonDocument.Parse(group);
                var groupId = g.RootElement.GetProperty("id").GetInt64();
                truth.Add("groups", group, groupId.ToString(CultureInfo.InvariantCulture));
                FetchInto(truth, "group_memberships", $"/api/v1/groups/{groupId}/memberships?per_page=100", user);
            }
        }

        if (isStudentSomewhere)
        {
            var start = world.Anchor.AddDays(-365).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            foreach (var item in Fetch(truth, "planner_items", $"/api/v1/planner/items?start_date={start}&per_page=100", user))
            {
                using var p = JsonDocument.Parse(item);
                truth.Add("planner_items",
                    item, $"{p.RootElement.GetProperty("plannable_type").GetString()}:{p.RootElement.GetProperty("plannable_id").GetInt64()}");
            }
        }

        return truth;
    }

    private void FetchInto(Truth truth, string collection, string url, SUser user, bool counted = true)
    {
        foreach (var item in Fetch(truth, collection, url, user, counted))
        {
            using var doc = JsonDocument.Parse(item);
            truth.Add(collection, item, doc.RootElement.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>All items of a collection, following next links; a non-200 is recorded and ends the collection. Requests not
    /// <paramref name="counted"/> are left out of the minimum.</summary>
    private List<string> Fetch(Truth truth, string collection, string url, SUser user, bool counted = true)
    {
        truth.Plan.Add(url);
        var items = new List<string>();
        string? next = baseUrl + url;
        while (next is not null)
        {
            var uri = new Uri(next);
            var http = new DefaultHttpContext();
            http.Request.Scheme = uri.Scheme;
            http.Request.Host = new HostString(uri.Authority);
            http.Request.Path = uri.AbsolutePath;
            http.Request.QueryString = new QueryString(uri.Query);
            if (!routes.TryMatch(uri.AbsolutePath, out _, out var handler, out var values))
                throw new InvalidOperationException("no route for " + url);
            http.Request.RouteValues = values;
            var response = handler!(new CanvasRequest(http, world, user, time.GetUtcNow().UtcDateTime));
            if (counted) truth.CountRequest(collection);
            if (response.Status != 200)
            {
                truth.Skipped.Add($"{response.Status} {uri.PathAndQuery}");
                break;
            }

            using var doc = JsonDocument.Parse(response.Body);
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
                items.AddRange(doc.RootElement.EnumerateArray().Select(e => e.GetRawText()));
            else items.Add(doc.RootElement.GetRawText());
            next = response.Link is null ? null : NextLink().Match(response.Link) is { Success: true } m ? m.Groups[1].Value : null;
        }

        return items;
    }
}

/// <summary>What a token can read: items per collection (raw JSON as served, de-duplicated by id) and request counts.</summary>
internal sealed class Truth(bool keepItems)
{
    public string? User { get; set; }
    public Dictionary<string, Dictionary<string, string>> Items { get; } =
        ReferenceCrawler.Collections.ToDictionary(c => c, _ => new Dictionary<string, string>(StringComparer.Ordinal));
    public Dictionary<string, int> RequestsByCollection { get; } = [];
    public List<string> Plan { get; } = [];
    public List<string> Skipped { get; } = [];
    public int MinRequests => RequestsByCollection.Values.Sum();

    public void CountRequest(string collection) =>
        RequestsByCollection[collection] = RequestsByCollection.GetValueOrDefault(collection) + 1;

    public void Add(string collection, string raw, string key) => Items[collection][key] = keepItems ? raw : "";

    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WritePropertyName("user");
        if (User is null) w.WriteNullValue(); else w.WriteRawValue(User, skipInputValidation: true);
        w.WriteNumber("min_requests", MinRequests);
        w.WriteStartObject("requests_by_collection");
        foreach (var (k, v) in RequestsByCollection) w.WriteNumber(k, v);
        w.WriteEndObject();
        w.WriteStartObject("counts");
        foreach (var (k, v) in Items) w.WriteNumber(k, v.Count);
        w.WriteEndObject();
        w.WriteStartArray("plan");
        foreach (var p in Plan) w.WriteStringValue(p);
        w.WriteEndArray();
        w.WriteStartArray("skipped");
        foreach (var s in Skipped) w.WriteStringValue(s);
        w.WriteEndArray();
        if (keepItems)
        {
            foreach (var (collection, items) in Items)
            {
                w.WriteStartArray(collection);
                foreach (var raw in items.Values) w.WriteRawValue(raw, skipInputValidation: true);
                w.WriteEndArray();
            }
        }

        w.WriteEndObject();
    }
}
