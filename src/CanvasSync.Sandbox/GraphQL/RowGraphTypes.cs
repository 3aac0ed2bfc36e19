using CanvasSync.Sandbox.Api;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.World;
using GraphQL;
using GraphQL.Types;

namespace CanvasSync.Sandbox.GraphQL;

internal sealed class SubmissionGraphType : CanvasObjectGraphType<SSubmission>
{
    public SubmissionGraphType()
        : base("Submission", x => x.Id)
    {
        Field<NonNullGraphType<IdGraphType>>("assignmentId").Resolve(c => GraphIds.Legacy(c.Source.AssignmentId));
        Field<IdGraphType>("userId").Resolve(c => GraphIds.Legacy(c.Source.UserId));
        // submission_interface.rb: the student the row is for (a User; the interface has no user id of its own).
        Field<UserGraphType>("user").Resolve(c => GraphCaller.Of(c).World.Users[c.Source.UserId]);
        Field<NonNullGraphType<StringGraphType>>("state").Resolve(c => c.Source.WorkflowState);
        Field<CanvasDateTimeGraphType>("updatedAt").Resolve(c => c.Source.UpdatedAt);
        Field<CanvasDateTimeGraphType>("submittedAt").Resolve(c => c.Source.SubmittedAt);
        Field<CanvasDateTimeGraphType>("gradedAt").Resolve(c => c.Source.GradedAt);
        Field<CanvasDateTimeGraphType>("postedAt").Resolve(c => c.Source.PostedAt);
        // Unposted grades are null to a student or observer, as REST leaves their keys out.
        Field<FloatGraphType>("score").Resolve(c => Hidden(c) ? null : c.Source.Score);
        Field<StringGraphType>("grade").Resolve(c => Hidden(c) ? null : c.Source.Grade);
    }

    private static bool Hidden(IResolveFieldContext<SSubmission> c)
    {
        var caller = GraphCaller.Of(c);
        var course = caller.World.Courses[c.Source.CourseId];
        return caller.RoleIn(course) is not { } role || Access.HideGrade(caller.World.Assignments[c.Source.AssignmentId], c.Source, role);
    }
}

internal sealed class EnrollmentGraphType : CanvasObjectGraphType<SEnrollment>
{
    public EnrollmentGraphType()
        : base("Enrollment", x => x.Id)
    {
        Field<NonNullGraphType<StringGraphType>>("state").Resolve(c => c.Source.State);
        Field<NonNullGraphType<StringGraphType>>("type").Resolve(c => c.Source.Type);
        Field<CanvasDateTimeGraphType>("updatedAt").Resolve(c => c.Source.UpdatedAt);
        Field<UserGraphType>("user").Resolve(c => GraphCaller.Of(c).World.Users[c.Source.UserId]);
        Field<CourseGraphType>("course").Resolve(c => GraphCaller.Of(c).World.Courses[c.Source.CourseId]);
        // Grades are the student's own (or a grader's to read): a classmate's are null, and so are the student's own where
        // the course hides final grades (Score's :read, as REST's enrollments). enrollment_type.rb: without
        // gradingPeriodId, the current grading period's scores, or the course's where there are no periods (as here);
        // null asks for the course's; a period id for that period's, a blank score here, where no course has periods.
        Field<GradesGraphType>("grades")
            .Arguments(new QueryArguments(new QueryArgument<IdGraphType> { Name = "gradingPeriodId" }))
            .Resolve(c =>
            {
                var caller = GraphCaller.Of(c);
                var course = caller.World.Courses[c.Source.CourseId];
                if (caller.RoleIn(course) is not { } role
                    || Access.GradeView(c.Source, course, role, caller.Request.User.Id) == EnrollmentGradeView.LinkOnly) return null;
                return c.GetArgument<string?>("gradingPeriodId") is null ? c.Source.Grades : EnrollmentGrades.None;
            });
    }
}

internal sealed class GradesGraphType : ObjectGraphType<EnrollmentGrades>
{
    public GradesGraphType()
    {
        Name = "Grades";
        Field<FloatGraphType>("currentScore").Resolve(c => c.Source.CurrentScore);
        Field<FloatGraphType>("finalScore").Resolve(c => c.Source.FinalScore);
        Field<StringGraphType>("currentGrade").Resolve(c => c.Source.CurrentGrade);
        Field<StringGraphType>("finalGrade").Resolve(c => c.Source.FinalGrade);
    }
}

internal sealed class UserGraphType : CanvasObjectGraphType<SUser>
{
    public UserGraphType()
        : base("User", x => x.Id)
    {
        Interface<NodeGraphType>();
        IsTypeOf = o => o is SUser;
        Field<StringGraphType>("name").Resolve(c => c.Source.Name);
        // User#current_groups: the caller's own accepted memberships' groups in their current courses; null for anyone else.
        Field<ListGraphType<NonNullGraphType<GroupGraphType>>>("groups").Resolve(c =>
        {
            var caller = GraphCaller.Of(c);
            if (c.Source.Id != caller.Request.User.Id) return null;
            var courses = caller.CurrentCourses().Select(x => x.Id).ToHashSet();
            return courses.SelectMany(caller.World.CategoriesInCourse).SelectMany(k => caller.World.GroupsInCategory(k.Id))
                .Where(g => caller.World.MembershipsInGroup(g.Id).Any(m => m.UserId == c.Source.Id && m.State == "accepted"))
                    .OrderBy(g => g.Id).ToList();
        });
    }
}

/// <summary>A group; unlike REST's, it names no group set (docs/canvas.md §7).</summary>
internal sealed class GroupGraphType : CanvasObjectGraphType<SGroup>
{
    public GroupGraphType()
        : base("Group", x => x.Id)
    {
        Field<StringGraphType>("name").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<IntGraphType>>("membersCount")
            .Resolve(c => GraphCaller.Of(c).World.MembershipsInGroup(c.Source.Id).Count(m => m.State == "accepted"));
    }
}

/// <summary>assignment_group_type.rb: Timestamped (updatedAt), with name, position, groupWeight and state.</summary>
internal sealed class AssignmentGroupGraphType : CanvasObjectGraphType<SAssignmentGroup>
{
    public AssignmentGroupGraphType()
        : base("AssignmentGroup", x => x.Id)
    {
        Field<StringGraphType>("name").Resolve(c => c.Source.Name);
        Field<IntGraphType>("position").Resolve(c => c.Source.Position);
        Field<FloatGraphType>("groupWeight").Resolve(c => c.Source.GroupWeight);
        Field<NonNullGraphType<StringGraphType>>("state").Resolve(_ => "available");
        Field<CanvasDateTimeGraphType>("updatedAt").Resolve(c => c.Source.UpdatedAt);
    }
}

internal sealed class SubmissionConnectionGraphType() : ConnectionGraphType<SSubmission, SubmissionGraphType>("SubmissionConnection");
internal sealed class AssignmentGroupConnectionGraphType()
    : ConnectionGraphType<SAssignmentGroup, AssignmentGroupGraphType>("AssignmentGroupConnection");
internal sealed class EnrollmentConnectionGraphType() : ConnectionGraphType<SEnrollment, EnrollmentGraphType>("EnrollmentConnection");
internal sealed class GroupConnectionGraphType() : ConnectionGraphType<SGroup, GroupGraphType>("GroupConnection");

internal sealed class SubmissionStateGraphType : EnumerationGraphType
{
    public SubmissionStateGraphType()
    {
        Name = "SubmissionState";
        foreach (var state in new[] { "submitted", "unsubmitted", "pending_review", "graded", "ungraded", "deleted" }) Add(state, state);
    }
}

internal sealed class EnrollmentWorkflowStateGraphType : EnumerationGraphType
{
    public EnrollmentWorkflowStateGraphType()
    {
        Name = "EnrollmentWorkflowState";
        foreach (var state in new[] { "invited", "creation_pending", "active", "deleted", "rejected", "completed", "inactive" })
            Add(state, state);
    }
}

internal sealed class SubmissionSearchFilterGraphType : InputObjectGraphType
{
    public SubmissionSearchFilterGraphType()
    {
        Name = "SubmissionSearchFilterInput";
        Field<ListGraphType<NonNullGraphType<SubmissionStateGraphType>>>("states");
        Field<CanvasDateTimeGraphType>("updatedSince");
        Field<CanvasDateTimeGraphType>("gradedSince");
        Field<CanvasDateTimeGraphType>("submittedSince");
    }
}

internal sealed class EnrollmentFilterGraphType : InputObjectGraphType
{
    public EnrollmentFilterGraphType()
    {
        Name = "EnrollmentFilterInput";
        Field<ListGraphType<NonNullGraphType<EnrollmentWorkflowStateGraphType>>>("states");
    }
}
