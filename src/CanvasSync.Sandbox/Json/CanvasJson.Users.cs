using System.Text.Json;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Json;

/// <summary>Canvas's JSON shapes (docs/canvas.md §5), one writer per entity, fields in Canvas's order.</summary>
internal static partial class CanvasJson
{
    /// <summary>The Token model of the Access Tokens API (canvas-lms tokens_controller.rb).</summary>
    public static void AccessToken(Utf8JsonWriter w, SToken t, long id, DateTime createdAt, string hint)
    {
        w.WriteStartObject();
        w.WriteNumber("id", id);
        w.WriteTime("created_at", createdAt);
        if (t.ExpiresAt is { } expires) w.WriteTime("expires_at", expires);
        else w.WriteNull("expires_at");
        w.WriteString("workflow_state", t.State == TokenState.Active ? "active" : "deleted");
        w.WriteBoolean("remember_access", false);
        w.WriteStartArray("scopes");
        w.WriteEndArray();
        w.WriteNull("real_user_id");
        w.WriteString("token_hint", hint);
        w.WriteNumber("user_id", t.UserId);
        w.WriteString("purpose", "CanvasSync");
        w.WriteString("app_name", "User-Generated");
        w.WriteBoolean("can_manually_regenerate", true);
        w.WriteEndObject();
    }

    public static void UserSelf(Utf8JsonWriter w, SUser u, string baseUrl)
    {
        w.WriteStartObject();
        w.WriteNumber("id", u.Id);
        w.WriteString("name", u.Name);
        w.WriteTime("created_at", u.CreatedAt);
        w.WriteString("sortable_name", u.SortableName);
        w.WriteString("short_name", u.ShortName);
        w.WriteString("avatar_url", $"{baseUrl}/images/messages/avatar-50.png");
        var comma = u.SortableName.IndexOf(", ", StringComparison.Ordinal);
        w.WriteString("last_name", comma < 0 ? u.SortableName : u.SortableName[..comma]);
        w.WriteString("first_name", comma < 0 ? "" : u.SortableName[(comma + 2)..]);
        w.WriteNull("locale");
        w.WriteString("effective_locale", "en");
        w.WriteStartObject("permissions");
        w.WriteBoolean("can_update_name", true);
        w.WriteBoolean("can_update_avatar", true);
        w.WriteBoolean("limit_parent_app_web_access", false);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void Profile(Utf8JsonWriter w, SUser u, string baseUrl)
    {
        w.WriteStartObject();
        w.WriteNumber("id", u.Id);
        w.WriteString("name", u.Name);
        w.WriteString("short_name", u.ShortName);
        w.WriteString("sortable_name", u.SortableName);
        w.WriteNull("title");
        w.WriteNull("bio");
        w.WriteNull("pronunciation");
        w.WriteString("primary_email", u.Email);
        w.WriteString("login_id", u.LoginId);
        w.WriteNull("integration_id");
        w.WriteString("time_zone", "America/Denver");
        w.WriteNull("locale");
        w.WriteString("effective_locale", "en");
        w.WriteString("avatar_url", $"{baseUrl}/images/messages/avatar-50.png");
        w.WriteStartObject("calendar");
        w.WriteString("ics", $"{baseUrl}/feeds/calendars/user_{u.Id:x}.ics");
        w.WriteEndObject();
        w.WriteString("lti_user_id", $"{u.Id:x}");
        w.WriteBoolean("k5_user", false);
        w.WriteBoolean("use_classic_font_in_k5", false);
        w.WriteEndObject();
    }

    /// <summary>The UserDisplay nested in enrollments and group users.</summary>
    public static void UserDisplay(Utf8JsonWriter w, SUser u)
    {
        w.WriteStartObject();
        w.WriteNumber("id", u.Id);
        w.WriteString("name", u.Name);
        w.WriteTime("created_at", u.CreatedAt);
        w.WriteString("sortable_name", u.SortableName);
        w.WriteString("short_name", u.ShortName);
        w.WriteEndObject();
    }

    public static void Term(Utf8JsonWriter w, STerm t, bool accountShape = false)
    {
        w.WriteStartObject();
        w.WriteNumber("id", t.Id);
        w.WriteString("name", t.Name);
        w.WriteTime("start_at", t.StartAt);
        w.WriteTime("end_at", t.EndAt);
        w.WriteTime("created_at", t.CreatedAt);
        w.WriteString("workflow_state", "active");
        w.WriteNull("grading_period_group_id");
        if (accountShape)
        {
            w.WriteStringOrNull("sis_term_id", t.SisTermId);
            w.WriteNull("sis_import_id");
            w.WriteStartObject("overrides");
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public static void Enrollment(Utf8JsonWriter w, SEnrollment e, SUser user, EnrollmentGradeView gradeView, string baseUrl)
    {
        w.WriteStartObject();
        w.WriteNumber("id", e.Id);
        w.WriteNumber("user_id", e.UserId);
        w.WriteNumber("course_id", e.CourseId);
        w.WriteString("type", e.Type);
        w.WriteTime("created_at", e.CreatedAt);
        w.WriteTime("updated_at", e.UpdatedAt);
        w.WriteNumberOrNull("associated_user_id", e.AssociatedUserId);
        w.WriteNull("start_at");
        w.WriteNull("end_at");
        w.WriteNumber("course_section_id", e.SectionId);
        w.WriteNumber("root_account_id", 1);
        w.WriteBoolean("limit_privileges_to_course_section", false);
        w.WriteString("enrollment_state", e.State);
        w.WriteString("role", e.Role);
        w.WriteNumber("role_id", e.RoleId);
        w.WriteTime("last_activity_at", e.LastActivityAt);
        w.WriteNull("last_attended_at");
        w.WriteNumber("total_activity_time", e.TotalActivityTime);
        if (e.IsStudentType)
        {
            w.WriteStartObject("grades");
            w.WriteString("html_url", $"{baseUrl}/courses/{e.CourseId}/grades/{e.UserId}");
            if (gradeView != EnrollmentGradeView.LinkOnly)
            {
                var g = e.Grades;
                w.WriteStringOrNull("current_grade", g.CurrentGrade);
                w.WriteFloat("current_score", g.CurrentScore);
                w.WriteStringOrNull("final_grade", g.FinalGrade);
                w.WriteFloat("final_score", g.FinalScore);
                if (gradeView == EnrollmentGradeView.Grader)
                {
                    w.WriteFloat("unposted_current_score", g.UnpostedCurrentScore);
                    w.WriteStringOrNull("unposted_current_grade", g.UnpostedCurrentGrade);
                    w.WriteFloat("unposted_final_score", g.UnpostedFinalScore);
                    w.WriteStringOrNull("unposted_final_grade", g.UnpostedFinalGrade);
                }
            }

            w.WriteEndObject();
        }

        w.WriteString("html_url", $"{baseUrl}/courses/{e.CourseId}/users/{e.UserId}");
        w.WritePropertyName("user");
        UserDisplay(w, user);
        w.WriteEndObject();
    }
}

/// <summary>How much of an enrollment's grades the caller may see (docs/canvas.md §5.6).</summary>
internal enum EnrollmentGradeView { LinkOnly, Own, Grader }
