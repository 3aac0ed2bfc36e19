using System.Text.Json;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Json;

internal static partial class CanvasJson
{
    /// <summary>
    /// An assignment as <paramref name="asTeacher"/> or a student sees it at <paramref name="now"/>, with the due date
    /// its overrides give that reader. For a student an assignment that is locked loses its description key and gains
    /// lock_info (Assignment#filter_attributes_for_user).
    /// </summary>
    public static void Assignment(Utf8JsonWriter w, SAssignment a, DateTime? dueAt, bool asTeacher, DateTime now,
        SSubmission? ownSubmission,
        bool includeSubmission, bool hideOwnGrade, string baseUrl)
    {
        var lockedForUser = !asTeacher && a.UnlockAt is { } unlock && unlock > now;
        w.WriteStartObject();
        w.WriteNumber("id", a.Id);
        if (!lockedForUser) w.WriteStringOrNull("description", a.Description);
        w.WriteTime("due_at", dueAt);
        w.WriteTime("unlock_at", a.UnlockAt);
        w.WriteTime("lock_at", a.LockAt);
        w.WriteFloat("points_possible", a.PointsPossible);
        w.WriteString("grading_type", a.GradingType);
        w.WriteNumber("assignment_group_id", a.AssignmentGroupId);
        w.WriteNull("grading_standard_id");
        w.WriteTime("created_at", a.CreatedAt);
        w.WriteTime("updated_at", a.UpdatedAt);
        w.WriteBoolean("peer_reviews", false);
        w.WriteBoolean("automatic_peer_reviews", false);
        w.WriteNumber("position", a.Position);
        w.WriteBoolean("grade_group_students_individually", false);
        w.WriteBoolean("anonymous_peer_reviews", false);
        w.WriteNumberOrNull("group_category_id", a.GroupCategoryId);
        w.WriteBoolean("post_to_sis", false);
        w.WriteBoolean("moderated_grading", false);
        w.WriteBoolean("omit_from_final_grade", false);
        w.WriteBoolean("intra_group_peer_reviews", false);
        w.WriteBoolean("anonymous_instructor_annotations", false);
        w.WriteBoolean("anonymous_grading", false);
        w.WriteBoolean("graders_anonymous_to_graders", false);
        w.WriteNumber("grader_count", 0);
        w.WriteBoolean("grader_comments_visible_to_graders", true);
        w.WriteNull("final_grader_id");
        w.WriteBoolean("grader_names_visible_to_final_grader", true);
        w.WriteNumber("allowed_attempts", -1);
        w.WriteNull("annotatable_attachment_id");
        w.WriteBoolean("hide_in_gradebook", false);
        w.WriteNull("secure_params");
        w.WriteString("lti_context_id", $"lti-{a.Id:x}");
        w.WriteNumber("course_id", a.CourseId);
        w.WriteString("name", a.Name);
        w.WriteStartArray("submission_types");
        foreach (var t in a.SubmissionTypes) w.WriteStringValue(t);
        w.WriteEndArray();
        w.WriteBoolean("has_submitted_submissions", true);
        w.WriteBoolean("due_date_required", false);
        w.WriteNumber("max_name_length", 255);
        w.WriteBoolean("in_closed_grading_period", false);
        w.WriteBoolean("graded_submissions_exist", true);
        w.WriteBoolean("is_quiz_assignment", a.QuizId is not null);
        w.WriteBoolean("can_duplicate", !a.IsNewQuiz);
        w.WriteString("workflow_state", a.Published ? "published" : "unpublished");
        w.WriteBoolean("important_dates", false);
        w.WriteBoolean("muted", a.Muted);
        w.WriteString("html_url", $"{baseUrl}/courses/{a.CourseId}/assignments/{a.Id}");
        w.WriteBoolean("has_overrides", a.HasOverrides);
        if (asTeacher)
        {
            w.WriteNumber("needs_grading_count", 0);
            w.WriteNull("sis_assignment_id");
            w.WriteNull("integration_id");
            w.WriteStartObject("integration_data");
            w.WriteEndObject();
        }

        w.WriteBoolean("published", a.Published);
        if (asTeacher) w.WriteBoolean("unpublishable", true);
        w.WriteBoolean("only_visible_to_overrides", a.OnlyVisibleTo is not null);
        w.WriteBoolean("visible_to_everyone", a.OnlyVisibleTo is null);
        w.WriteBoolean("locked_for_user", lockedForUser);
        if (lockedForUser)
        {
            w.WriteStartObject("lock_info");
            w.WriteString("asset_string", $"assignment_{a.Id}");
            w.WriteTime("unlock_at", a.UnlockAt);
            w.WriteEndObject();
            w.WriteString("lock_explanation",
                "This assignment is locked until " + a.UnlockAt!.Value.ToString("MMM d", System.Globalization.CultureInfo.InvariantCulture)
                + ".");
        }

        w.WriteString("submissions_download_url", $"{baseUrl}/courses/{a.CourseId}/assignments/{a.Id}/submissions?zip=1");
        w.WriteBoolean("post_manually", a.PostManually);
        w.WriteBoolean("anonymize_students", false);
        w.WriteBoolean("require_lockdown_browser", false);
        w.WriteBoolean("restrict_quantitative_data", false);
        if (a.QuizId is { } quizId)
        {
            w.WriteNumber("quiz_id", quizId);
            w.WriteBoolean("anonymous_submissions", false);
        }

        if (a.DiscussionTopicId is { } topicId)
        {
            w.WriteStartObject("discussion_topic");
            w.WriteNumber("id", topicId);
            w.WriteString("title", a.Name);
            w.WriteStringOrNull("message", a.Description);
            w.WriteString("html_url", $"{baseUrl}/courses/{a.CourseId}/discussion_topics/{topicId}");
            w.WriteNumber("assignment_id", a.Id);
            w.WriteString("discussion_type", "threaded");
            w.WriteNumber("discussion_subentry_count", 12);
            w.WriteBoolean("published", a.Published);
            w.WriteEndObject();
        }

        if (a.IsNewQuiz)
        {
            w.WriteBoolean("is_quiz_lti_assignment", true);
            w.WriteStartObject("external_tool_tag_attributes");
            w.WriteString("url", "https://quiz-lti.example/lti/launch");
            w.WriteBoolean("new_tab", false);
            w.WriteString("resource_link_id", $"{a.Id:x}");
            w.WriteEndObject();
            w.WriteString("url", $"{baseUrl}/api/v1/courses/{a.CourseId}/external_tools/sessionless_launch?assignment_id={a.Id}&launch_type=assessment");
        }

        // include[]=submission embeds the caller's own submission; teachers get no submission key.
        if (includeSubmission && !asTeacher && ownSubmission is not null)
        {
            w.WritePropertyName("submission");
            Submission(w, ownSubmission, hideOwnGrade, baseUrl);
        }

        w.WriteEndObject();
    }

    /// <summary>A submission; <paramref name="hideGrade"/> deletes the grade keys, as Canvas does for unposted grades.</summary>
    public static void Submission(Utf8JsonWriter w, SSubmission s, bool hideGrade, string baseUrl)
    {
        w.WriteStartObject();
        w.WriteNumber("id", s.Id);
        w.WriteStringOrNull("body", s.Body);
        w.WriteStringOrNull("url", s.Url);
        if (!hideGrade)
        {
            w.WriteStringOrNull("grade", s.Grade);
            w.WriteFloat("score", s.Score);
        }

        w.WriteTime("submitted_at", s.SubmittedAt);
        w.WriteNumber("assignment_id", s.AssignmentId);
        w.WriteNumber("user_id", s.UserId);
        w.WriteStringOrNull("submission_type", s.SubmissionType);
        w.WriteString("workflow_state", s.WorkflowState);
        w.WriteBoolean("grade_matches_current_submission", true);
        w.WriteTime("graded_at", s.GradedAt);
        w.WriteNumberOrNull("grader_id", s.GraderId);
        w.WriteNumberOrNull("attempt", s.Attempt);
        w.WriteTime("cached_due_date", s.CachedDueDate);
        w.WriteBoolean("excused", s.Excused);
        w.WriteStringOrNull("late_policy_status", s.LatePolicyStatus);
        w.WriteFloat("points_deducted", s.PointsDeducted);
        w.WriteNull("grading_period_id");
        w.WriteNumber("extra_attempts", 0);
        w.WriteTime("posted_at", s.PostedAt);
        w.WriteBoolean("redo_request", false);
        w.WriteNull("custom_grade_status_id");
        w.WriteNull("sticker");
        w.WriteBoolean("late", s.Late);
        w.WriteBoolean("missing", s.Missing);
        w.WriteNumber("seconds_late", s.SecondsLate);
        if (!hideGrade)
        {
            w.WriteStringOrNull("entered_grade", s.Grade is null ? null : s.PointsDeducted is { } d && s.Score is { } sc
                ? GradeCalculator.RoundIfWhole(sc + d) : s.Grade);
            w.WriteFloat("entered_score", s.Score is { } score ? score + (s.PointsDeducted ?? 0) : null);
        }

        w.WriteString("preview_url", $"{baseUrl}/courses/{s.CourseId}/assignments/{s.AssignmentId}/submissions/{s.UserId}?preview=1&version=1");
        w.WriteEndObject();
    }
}
