using System.Text.Json;
using CanvasSync.Sandbox.Tests.Infrastructure;
using CanvasSync.Sandbox.World;
using Microsoft.Extensions.Time.Testing;
using static CanvasSync.Sandbox.Tests.Infrastructure.SandboxGraph;

namespace CanvasSync.Sandbox.Tests;

/// <summary>
/// What a teacher's work on assignment groups moves (docs/canvas.md §6): a save the group's and the course's
/// updatedAt, a reorder of groups positions only, a reorder of assignments the groups' updatedAt and not the course's.
/// Only GraphQL serves a group's updatedAt.
/// </summary>
public sealed class AssignmentGroupChangeTests
{
    private const string Groups =
        "{ allCourses { _id updatedAt assignmentGroupsConnection(first: 100) { nodes { _id updatedAt position } } } }";

    /// <summary>assignment_group.rb: a save moves the group's updatedAt and (touch_context) the course's; a reorder is
    /// acts_as_list's update_all of positions and moves neither.</summary>
    [Fact]
    public async Task A_group_weight_moves_the_groups_and_courses_updatedAt_a_reorder_only_positions()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Classroom, Time = clock });
        using var http = new HttpClient();
        var student = sandbox.Tokens.Student;
        var (_, json, _) = await GraphAsync(sandbox, student, Groups);
        var before = Read(json);
        var course = json.GetProperty("data").GetProperty("allCourses")[0].GetProperty("_id").GetString();
        var ids = json.GetProperty("data").GetProperty("allCourses")[0].GetProperty("assignmentGroupsConnection").GetProperty("nodes")
            .EnumerateArray().Select(g => g.GetProperty("_id").GetString()!).ToList();

        clock.Advance(TimeSpan.FromSeconds(1.1));
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/courses/{course}/assignment_groups/reorder",
            new { order = Enumerable.Reverse(ids).ToArray() });
        var reordered = Read((await GraphAsync(sandbox, student, Groups)).Json);
        Assert.All(ids, id => Assert.Equal((before[id].Course, before[id].Group), (reordered[id].Course, reordered[id].Group)));
        Assert.Equal(ids.Count, reordered[ids[0]].Position); // the first group is now last

        clock.Advance(TimeSpan.FromSeconds(1.1));
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignment_groups/{ids[0]}", new { group_weight = 12.5 });
        var saved = Read((await GraphAsync(sandbox, student, Groups)).Json)[ids[0]];
        Assert.True(string.CompareOrdinal(saved.Group, before[ids[0]].Group) > 0);
        Assert.True(string.CompareOrdinal(saved.Course, before[ids[0]].Course) > 0);
    }

    /// <summary>
    /// assignment_groups#reorder_assignments: a dragged assignment gets the group and a new updated_at, the positions
    /// follow the order, every group involved is touched and the course is not.
    /// </summary>
    [Fact]
    public async Task A_reorder_of_assignments_touches_their_groups_and_the_dragged_one_but_not_the_course()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Profile = SandboxProfile.Classroom, Time = clock });
        using var http = new HttpClient();
        var (_, json, _) = await GraphAsync(sandbox, sandbox.Tokens.Teacher, Groups);
        var before = Read(json);
        var course = json.GetProperty("data").GetProperty("allCourses")[0].GetProperty("_id").GetString();
        var assignmentsUrl = $"{sandbox.BaseUrl}/api/v1/courses/{course}/assignments?per_page=100";
        var assignments = (await http.GetAllAsync(assignmentsUrl, sandbox.Tokens.Teacher)).Items;
        var into = assignments.Select(GroupOf).Min();
        var dragged = assignments.First(a => GroupOf(a) != into);
        var order = assignments.Where(a => GroupOf(a) == into).Select(Id).Reverse().Prepend(Id(dragged)).ToList();

        clock.Advance(TimeSpan.FromSeconds(1.1));
        await http.PostJsonAsync($"{sandbox.BaseUrl}/_sandbox/assignment_groups/{into}/reorder", new { order });

        var after = Read((await GraphAsync(sandbox, sandbox.Tokens.Teacher, Groups)).Json);
        foreach (var touched in new[] { into, GroupOf(dragged) }.Select(g => g.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            Assert.True(string.CompareOrdinal(after[touched].Group, before[touched].Group) > 0);
            Assert.Equal(before[touched].Course, after[touched].Course);
        }

        var now = (await http.GetAllAsync(assignmentsUrl, sandbox.Tokens.Teacher)).Items.ToDictionary(Id);
        Assert.Equal(into, GroupOf(now[Id(dragged)]));
        Assert.NotEqual(dragged.GetProperty("updated_at").GetString(), now[Id(dragged)].GetProperty("updated_at").GetString());
        Assert.Equal(Enumerable.Range(1, order.Count), order.Select(id => now[id].GetProperty("position").GetInt32()));
        Assert.All(assignments.Where(a => Id(a) != Id(dragged)),
            a => Assert.Equal(a.GetProperty("updated_at").GetString(), now[Id(a)].GetProperty("updated_at").GetString()));
    }

    private static Dictionary<string, (string Course, string Group, int Position)> Read(JsonElement json) => json.GetProperty("data")
        .GetProperty("allCourses").EnumerateArray()
        .SelectMany(c => c.GetProperty("assignmentGroupsConnection").GetProperty("nodes").EnumerateArray().Select(g =>
            (Id: g.GetProperty("_id").GetString()!, Course: c.GetProperty("updatedAt").GetString()!,
                Group: g.GetProperty("updatedAt").GetString()!, Position: g.GetProperty("position").GetInt32())))
        .ToDictionary(x => x.Id, x => (x.Course, x.Group, x.Position));

    private static long Id(JsonElement e) => e.GetProperty("id").GetInt64();

    private static long GroupOf(JsonElement a) => a.GetProperty("assignment_group_id").GetInt64();
}
