using System.Net.Http.Json;
using System.Text.Json;

namespace CanvasSync.Sandbox.Control;

/// <summary>
/// Each kind of change Canvas makes (docs/canvas.md §6), made in a running sandbox through its control API
/// (<see cref="ChangeApi"/>) on records picked from a teacher's truth: what a delta must bring into the mirror. The
/// tests make them one by one and together; the delta benchmark measures what each costs the next delta.
/// </summary>
public static class SandboxChanges
{
    /// <summary>Changes a delta sees through some listing or filter.</summary>
    public static readonly string[] SeenByDelta =
    [
        "publish", "unpublish", "due_date", "first_override", "due_date_past_override", "points", "grading_type", "create_many", "enroll",
            "remove", "drop",
        "conclude", "move_member", "accept", "new_group_set", "grade", "submit", "delete_assignment", "post_grades",
        "reweight_group", "reorder_groups", "reorder_assignments",
    ];

    /// <summary>Changes no listing of a delta shows: the slow lane re-reads what they touch.</summary>
    public static readonly string[] SeenBySlowLane = ["override_again", "invite", "moderator"];

    /// <summary>Makes <paramref name="change"/> (one of <see cref="SeenByDelta"/> or <see cref="SeenBySlowLane"/>) on records of
    /// <paramref name="truth"/>.</summary>
    public static async Task MakeAsync(HttpClient http, string sandboxUrl, JsonElement truth, string change)
    {
        var course = Items(truth, "courses").Where(c => c.GetProperty("workflow_state").GetString() == "available").Select(Id).Min();
        var assignments = Items(truth, "assignments").Where(a => Long(a, "course_id") == course).OrderBy(Id).ToList();
        var published = assignments.Where(a => a.GetProperty("published").GetBoolean()).ToList();
        var dated = published.Where(a => a.GetProperty("due_at").ValueKind == JsonValueKind.String && Long(a, "points_possible") > 0)
            .ToList();
        var students = Items(truth, "enrollments")
            .Where(e => Long(e, "course_id") == course && e.GetProperty("type").GetString() == "StudentEnrollment"
                && e.GetProperty("enrollment_state").GetString() == "active")
            .GroupBy(e => Long(e, "user_id")).Where(g => g.Count() == 1).Select(g => g.Single()).OrderBy(Id).ToList();
        var groups = Items(truth, "groups").Where(g => Long(g, "course_id") == course).OrderBy(Id).ToList();
        var memberships = Items(truth, "group_memberships").Where(m => groups.Any(g => Id(g) == Long(m, "group_id"))).OrderBy(Id).ToList();

        switch (change)
        {
            case "publish":
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignments/{Id(assignments.First(a => !a.GetProperty("published").GetBoolean()))}", new { published = true });
                break;
            case "unpublish":
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignments/{Id(dated[0])}", new { published = false });
                break;
            case "due_date":
                // Moved into the past: cached_due_date changes, and unsubmitted rows become missing.
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignments/{Id(dated[^1])}", new { due_at = DateTime.UtcNow.AddDays(-2) });
                break;
            case "first_override":
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignments/{Id(dated[1])}/override",
                    new { student_ids = students.Take(3).Select(s => Long(s, "user_id")).ToArray(), due_at = DateTime.UtcNow.AddDays(-3) });
                break;
            case "due_date_past_override":
                // Some students get their own date, then the assignment's own moves: their rows keep the override's.
                var kept = dated[^2];
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignments/{Id(kept)}/override",
                    new { student_ids = students.Take(2).Select(s => Long(s, "user_id")).ToArray(), due_at = DateTime.UtcNow.AddDays(5) });
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignments/{Id(kept)}", new { due_at = DateTime.UtcNow.AddDays(-1) });
                break;
            case "override_again":
                // An assignment that already has overrides: Canvas's assignment JSON stays as it was.
                var overridden = published.First(a => a.GetProperty("has_overrides").GetBoolean());
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignments/{Id(overridden)}/override",
                    new
                    {
                        student_ids = students.Skip(3).Take(2).Select(s => Long(s, "user_id")).ToArray(),
                        due_at = DateTime.UtcNow.AddDays(-4)
                    });
                break;
            case "points":
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignments/{Id(dated.First(a => a.GetProperty("grading_type").GetString() is "percent" or "letter_grade"))}",
                    new { points_possible = 200 });
                break;
            case "grading_type":
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignments/{Id(dated.First(a => a.GetProperty("grading_type").GetString() == "points"))}",
                    new { grading_type = "letter_grade" });
                break;
            case "create_many":
                // A course copy: 400 assignments at once, with ids of 17 digits as on a sharded Canvas.
                await PostAsync(http, $"{sandboxUrl}/_sandbox/ids", new { next_after = 10_000_000_000_000_000 });
                await PostAsync(http, $"{sandboxUrl}/_sandbox/courses/{course}/assignments",
                    new { name = "Imported", points_possible = 10, count = 400 });
                break;
            case "enroll":
                await PostAsync(http, $"{sandboxUrl}/_sandbox/courses/{course}/enrollments", new { });
                break;
            case "remove":
                await PostAsync(http, $"{sandboxUrl}/_sandbox/enrollments/{Id(students[0])}", new { state = "deleted" });
                break;
            case "drop":
                await PostAsync(http, $"{sandboxUrl}/_sandbox/enrollments/{Id(students[1])}", new { state = "completed" });
                break;
            case "conclude":
                await PostAsync(http, $"{sandboxUrl}/_sandbox/courses/{course}/conclude", new { });
                break;
            case "move_member":
                var member = memberships.First(m => m.GetProperty("workflow_state").GetString() == "accepted");
                var from = groups.Single(g => Id(g) == Long(member, "group_id"));
                var to = groups.First(g => Id(g) != Id(from) && Long(g, "group_category_id") == Long(from, "group_category_id"));
                await PostAsync(http, $"{sandboxUrl}/_sandbox/memberships/{Id(member)}/move", new { group_id = Id(to) });
                break;
            case "new_group_set":
                await PostAsync(http, $"{sandboxUrl}/_sandbox/courses/{course}/group_categories", new { });
                break;
            case "invite":
                var group = groups[0];
                var outsider = students.Select(s => Long(s, "user_id"))
                    .First(u => !memberships.Any(m => Long(m, "user_id") == u && Long(m, "group_id") == Id(group)));
                await PostAsync(http, $"{sandboxUrl}/_sandbox/groups/{Id(group)}/invite", new { user_id = outsider });
                break;
            case "accept":
                await PostAsync(http, $"{sandboxUrl}/_sandbox/memberships/{Id(memberships.First(m => m.GetProperty("workflow_state").GetString() == "invited"))}",
                    new { workflow_state = "accepted" });
                break;
            case "moderator":
                var flipped = memberships.First(m => m.GetProperty("workflow_state").GetString() == "accepted");
                await PostAsync(http, $"{sandboxUrl}/_sandbox/memberships/{Id(flipped)}",
                    new { moderator = !flipped.GetProperty("moderator").GetBoolean() });
                break;
            case "grade":
                var ungraded = Items(truth, "submissions")
                    .First(s => Long(s, "assignment_id") == Id(dated[2]) && s.GetProperty("workflow_state").GetString() == "submitted");
                await PostAsync(http, $"{sandboxUrl}/_sandbox/submissions/{Id(ungraded)}/grade", new { score = 1 });
                break;
            case "submit":
                var open = Items(truth, "submissions")
                    .First(s => Long(s, "assignment_id") == Id(dated[3]) && s.GetProperty("workflow_state").GetString() == "unsubmitted");
                await PostAsync(http, $"{sandboxUrl}/_sandbox/submissions/{Id(open)}/submit", new { });
                break;
            case "post_grades":
                // Grades held back by a manual post policy are posted at once, as from the gradebook's menu.
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignments/{Id(published.First(a => a.GetProperty("muted").GetBoolean()))}/post", new { });
                break;
            case "reweight_group":
                // A save: the group's updated_at and the course's move, and the scores are recomputed.
                var weighted = assignments.Select(a => Long(a, "assignment_group_id")).Distinct().Order().First();
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignment_groups/{weighted}", new { group_weight = 35.5 });
                break;
            case "reorder_groups":
                // acts_as_list's update_order: positions only, no updated_at moves anywhere.
                var order = assignments.Select(a => Long(a, "assignment_group_id")).Distinct().Order().Reverse().ToArray();
                await PostAsync(http, $"{sandboxUrl}/_sandbox/courses/{course}/assignment_groups/reorder", new { order });
                break;
            case "reorder_assignments":
                // A published assignment dragged into the first group, whose order is reversed: the groups are
                // touched, the moved assignment saved without its course, positions update_all'd.
                var into = assignments.Select(a => Long(a, "assignment_group_id")).Distinct().Order().First();
                var dragged = published.First(a => Long(a, "assignment_group_id") != into);
                var reordered = assignments.Where(a => Long(a, "assignment_group_id") == into).Select(Id).Reverse().Prepend(Id(dragged));
                await PostAsync(http, $"{sandboxUrl}/_sandbox/assignment_groups/{into}/reorder", new { order = reordered.ToArray() });
                break;
            case "delete_assignment":
                (await http.DeleteAsync($"{sandboxUrl}/_sandbox/assignments/{Id(dated[4])}")).EnsureSuccessStatusCode();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, "no such change");
        }
    }

    private static IEnumerable<JsonElement> Items(JsonElement truth, string collection) => truth.GetProperty(collection).EnumerateArray();

    private static long Id(JsonElement e) => e.GetProperty("id").GetInt64();

    private static long Long(JsonElement e, string property) =>
        e.GetProperty(property) is { ValueKind: JsonValueKind.Number } n ? n.TryGetInt64(out var whole) ? whole : (long)n.GetDouble() : 0;

    private static async Task PostAsync(HttpClient http, string url, object body)
    {
        using var response = await http.PostAsJsonAsync(url, body);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
