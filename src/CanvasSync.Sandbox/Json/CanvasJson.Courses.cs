using System.Text.Json;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Json;

internal static partial class CanvasJson
{
    /// <summary>A course as the caller sees it; <paramref name="mine"/> are the caller's enrollments in it.</summary>
    public static void Course(Utf8JsonWriter w, SCourse c, IReadOnlyList<SEnrollment> mine, STerm? term, bool totalScores, string baseUrl)
    {
        w.WriteStartObject();
        w.WriteNumber("id", c.Id);
        w.WriteString("name", c.Name);
        w.WriteNumber("account_id", 1);
        w.WriteString("uuid", c.Uuid);
        w.WriteTime("start_at", c.StartAt);
        w.WriteNull("grading_standard_id");
        w.WriteBoolean("is_public", false);
        w.WriteTime("created_at", c.CreatedAt);
        w.WriteString("course_code", c.CourseCode);
        w.WriteString("default_view", "modules");
        w.WriteNumber("root_account_id", 1);
        w.WriteNumber("enrollment_term_id", c.TermId);
        w.WriteString("license", "private");
        w.WriteNull("grade_passback_setting");
        w.WriteTime("end_at", c.EndAt);
        w.WriteBoolean("public_syllabus", false);
        w.WriteBoolean("public_syllabus_to_auth", false);
        w.WriteNumber("storage_quota_mb", 500);
        w.WriteBoolean("is_public_to_auth_users", false);
        w.WriteBoolean("homeroom_course", false);
        w.WriteNull("course_color");
        w.WriteNull("friendly_name");
        w.WriteBoolean("apply_assignment_group_weights", true);
        w.WriteStartObject("calendar");
        w.WriteString("ics", $"{baseUrl}/feeds/calendars/course_{c.Uuid}.ics");
        w.WriteEndObject();
        w.WriteString("time_zone", c.TimeZone);
        w.WriteBoolean("blueprint", false);
        w.WriteBoolean("template", false);
        w.WriteStartArray("enrollments");
        foreach (var e in mine.DistinctBy(e => e.Type))
        {
            w.WriteStartObject();
            var type = e.Type switch
            {
                "TeacherEnrollment" => "teacher",
                "TaEnrollment" => "ta",
                "ObserverEnrollment" => "observer",
                "DesignerEnrollment" => "designer",
                _ => "student"
            };
            w.WriteString("type", type);
            w.WriteString("role", e.Role);
            w.WriteNumber("role_id", e.RoleId);
            w.WriteNumber("user_id", e.UserId);
            w.WriteString("enrollment_state", e.State);
            w.WriteBoolean("limit_privileges_to_course_section", false);
            // Totals are omitted when the course hides final grades (docs/canvas.md §5.2).
            if (totalScores && type == "student" && !c.HideFinalGrades)
            {
                w.WriteFloat("computed_current_score", e.Grades.CurrentScore);
                w.WriteFloat("computed_final_score", e.Grades.FinalScore);
                w.WriteStringOrNull("computed_current_grade", e.Grades.CurrentGrade);
                w.WriteStringOrNull("computed_final_grade", e.Grades.FinalGrade);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteBoolean("hide_final_grades", c.HideFinalGrades);
        w.WriteString("workflow_state", c.WorkflowState);
        w.WriteBoolean("restrict_enrollments_to_course_dates", c.RestrictStudentFutureView);
        if (term is not null)
        {
            w.WritePropertyName("term");
            Term(w, term);
        }

        w.WriteEndObject();
    }

    /// <summary>What a date-restricted course is reduced to (docs/canvas.md §5.2).</summary>
    public static void RestrictedCourse(Utf8JsonWriter w, SCourse c)
    {
        w.WriteStartObject();
        w.WriteNumber("id", c.Id);
        w.WriteBoolean("access_restricted_by_date", true);
        w.WriteEndObject();
    }

    public static void AssignmentGroup(Utf8JsonWriter w, SAssignmentGroup g, IEnumerable<Action<Utf8JsonWriter>>? assignments)
    {
        w.WriteStartObject();
        w.WriteNumber("id", g.Id);
        w.WriteString("name", g.Name);
        w.WriteNumber("position", g.Position);
        w.WriteFloat("group_weight", g.GroupWeight);
        w.WriteNull("sis_source_id");
        w.WriteStartObject("integration_data");
        w.WriteEndObject();
        w.WriteStartObject("rules");
        w.WriteEndObject();
        if (assignments is not null)
        {
            w.WriteStartArray("assignments");
            foreach (var write in assignments) write(w);
            w.WriteEndArray();
        }

        w.WriteEndObject();
    }
}
