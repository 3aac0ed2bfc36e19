using CanvasSync.Sandbox.Api;
using CanvasSync.Sandbox.World;
using GraphQL;
using GraphQL.Types;

namespace CanvasSync.Sandbox.GraphQL;

/// <summary>
/// query { allCourses, course(id:), legacyNode(_id:, type:) }. Canvas has no "me": the caller finds themselves with
/// legacyNode(_id: their REST id, type: User); the sandbox serves that node for the caller only.
/// </summary>
internal sealed class QueryGraphType : ObjectGraphType
{
    public QueryGraphType()
    {
        Name = "Query";
        Field<ListGraphType<NonNullGraphType<CourseGraphType>>>("allCourses").Resolve(context => GraphCaller.Of(context).CurrentCourses());
        Field<NodeGraphType>("legacyNode")
            .Arguments(new QueryArguments(new QueryArgument<NonNullGraphType<IdGraphType>> { Name = "_id" },
                new QueryArgument<NonNullGraphType<NodeTypeGraphType>> { Name = "type" }))
            .Resolve(context =>
            {
                var caller = GraphCaller.Of(context);
                var id = long.TryParse(context.GetArgument<string>("_id"), out var n) ? n : 0;
                return context.GetArgument<string>("type") switch
                {
                    "User" when id == caller.Request.User.Id => caller.Request.User,
                    "Course" when caller.World.Courses.TryGetValue(id, out var c) && caller.RoleIn(c) is not null => c,
                    _ => null,
                };
            });
        Field<CourseGraphType>("course").Arguments(new QueryArguments(new QueryArgument<IdGraphType> { Name = "id" })).Resolve(context =>
        {
            var caller = GraphCaller.Of(context);
            return long.TryParse(context.GetArgument<string>("id"), out var id) && caller.World.Courses.TryGetValue(id, out var c)
                && caller.RoleIn(c) is not null ? c : null;
        });
    }
}

internal sealed class CourseGraphType : CanvasObjectGraphType<SCourse>
{
    public CourseGraphType()
        : base("Course", x => x.Id)
    {
        Interface<NodeGraphType>();
        IsTypeOf = o => o is SCourse;
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Name);
        Field<StringGraphType>("courseCode").Resolve(c => c.Source.CourseCode);
        Field<CanvasDateTimeGraphType>("updatedAt").Resolve(c => c.Source.UpdatedAt);

        Field<SubmissionConnectionGraphType>("submissionsConnection")
            .Arguments(SubmissionConnectionGraphType.Paging(new QueryArgument<SubmissionSearchFilterGraphType> { Name = "filter" }))
            .Resolve(context => GraphPage<SSubmission>.Of(Submissions(context), context));
        Field<EnrollmentConnectionGraphType>("enrollmentsConnection")
            .Arguments(EnrollmentConnectionGraphType.Paging(new QueryArgument<EnrollmentFilterGraphType> { Name = "filter" }))
            .Resolve(context => Roster(context) is { } roster ? GraphPage<SEnrollment>.Of(roster, context) : null);
        // course_type.rb assignment_groups_connection: the course's active groups, by position, to whoever reads the course.
        Field<AssignmentGroupConnectionGraphType>("assignmentGroupsConnection").Arguments(AssignmentGroupConnectionGraphType.Paging())
            .Resolve(context => GraphCaller.Of(context).RoleIn(context.Source) is null ? null
                : GraphPage<SAssignmentGroup>.Of(GraphCaller.Of(context).World.AssignmentGroupsInCourse(context.Source.Id)
                    .OrderBy(g => g.Position).ThenBy(g => g.Id).ToList(), context));
        Field<GroupConnectionGraphType>("groupsConnection").Arguments(GroupConnectionGraphType.Paging()).Resolve(context =>
        {
            var caller = GraphCaller.Of(context);
            if (caller.RoleIn(context.Source) is not { } role || !Access.ReadsRoster(role)) return null;
            var groups = caller.World.CategoriesInCourse(context.Source.Id).SelectMany(c => caller.World.GroupsInCategory(c.Id))
                .OrderBy(g => g.Id).ToList();
            return GraphPage<SGroup>.Of(groups, context);
        });
    }

    /// <summary>
    /// Course#submissionsConnection: a teacher gets every student's rows, anyone else their own (an observer none:
    /// not their observees', which REST serves them; docs/canvas.md §7); only active rows of published assignments the
    /// student is assigned; states default to submitted, pending_review and graded; updatedSince is strict
    /// (updated_at &gt; t); ordered by _id.
    /// </summary>
    private static List<SSubmission> Submissions(IResolveFieldContext<SCourse> context)
    {
        var caller = GraphCaller.Of(context);
        var world = caller.World;
        var course = context.Source;
        if (caller.RoleIn(course) is not { } role) return [];
        var filter = context.GetArgument<Dictionary<string, object?>>("filter") ?? [];
        var states = filter.TryGetValue("states", out var s) && s is IEnumerable<object> given
            ? given.Select(x => x.ToString()!).ToHashSet(StringComparer.Ordinal)
            : ["submitted", "pending_review", "graded"];
        var updatedSince = filter.GetValueOrDefault("updatedSince") as DateTime?;
        var gradedSince = filter.GetValueOrDefault("gradedSince") as DateTime?;
        var submittedSince = filter.GetValueOrDefault("submittedSince") as DateTime?;
        var me = caller.Request.User.Id;
        var students = role switch
        {
            CourseRole.Teacher => world.EnrollmentsInCourse(course.Id).Where(e => e.IsStudentType && e.State != "deleted").Select(e =>
                e.UserId).ToHashSet(),
            _ => [me],
        };
        return world.SubmissionIdsInCourse(course.Id).Select(id => world.Submissions[id])
            .Where(x => students.Contains(x.UserId) && states.Contains(x.WorkflowState)
                && (updatedSince is null || x.UpdatedAt > updatedSince)
                && (gradedSince is null || x.GradedAt > gradedSince) && (submittedSince is null || x.SubmittedAt > submittedSince))
            .Where(x => world.Assignments[x.AssignmentId] is { Published: true, Deleted: false } a && a.IsVisibleTo(x.UserId))
            .OrderBy(x => x.Id).ToList();
    }

    /// <summary>Course#enrollmentsConnection: roster readers only (observers get null); only active ones unless filter.states
    /// says.</summary>
    private static List<SEnrollment>? Roster(IResolveFieldContext<SCourse> context)
    {
        var caller = GraphCaller.Of(context);
        if (caller.RoleIn(context.Source) is not { } role || !Access.ReadsRoster(role)) return null;
        var filter = context.GetArgument<Dictionary<string, object?>>("filter") ?? [];
        var states = filter.TryGetValue("states", out var s) && s is IEnumerable<object> given
            ? given.Select(x => x.ToString()!).ToHashSet(StringComparer.Ordinal)
            : ["active"];
        return caller.World.EnrollmentsInCourse(context.Source.Id).Where(e => states.Contains(e.State)).OrderBy(e => e.Id).ToList();
    }
}
