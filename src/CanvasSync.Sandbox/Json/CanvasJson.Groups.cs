using System.Text.Json;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Json;

internal static partial class CanvasJson
{
    public static void GroupCategory(Utf8JsonWriter w, SGroupCategory c)
    {
        w.WriteStartObject();
        w.WriteNumber("id", c.Id);
        w.WriteString("name", c.Name);
        w.WriteNull("role");
        w.WriteStringOrNull("self_signup", c.SelfSignup);
        w.WriteNumberOrNull("group_limit", c.GroupLimit);
        w.WriteStringOrNull("auto_leader", c.AutoLeader);
        w.WriteTime("created_at", c.CreatedAt);
        w.WriteString("context_type", "Course");
        w.WriteNumber("course_id", c.CourseId);
        w.WriteBoolean("protected", false);
        w.WriteBoolean("allows_multiple_memberships", false);
        w.WriteBoolean("is_member", false);
        w.WriteNull("sis_group_category_id");
        w.WriteNull("sis_import_id");
        w.WriteBoolean("non_collaborative", false);
        w.WriteEndObject();
    }

    public static void Group(Utf8JsonWriter w, SGroup g, int membersCount, SUser? leader, IReadOnlyList<SUser>? users, string baseUrl)
    {
        w.WriteStartObject();
        w.WriteNumber("id", g.Id);
        w.WriteString("name", g.Name);
        w.WriteTime("created_at", g.CreatedAt);
        w.WriteNumberOrNull("max_membership", g.MaxMembership);
        w.WriteBoolean("is_public", false);
        w.WriteString("join_level", g.JoinLevel);
        w.WriteNumber("group_category_id", g.CategoryId);
        w.WriteStringOrNull("description", g.Description);
        w.WriteNumber("members_count", membersCount);
        w.WriteNumber("storage_quota_mb", 50);
        w.WriteString("context_type", "Course");
        w.WriteNumber("course_id", g.CourseId);
        w.WriteString("avatar_url", $"{baseUrl}/images/messages/avatar-group-50.png");
        w.WriteNull("role");
        if (leader is null) w.WriteNull("leader");
        else
        {
            w.WritePropertyName("leader");
            UserDisplay(w, leader);
        }

        w.WriteNull("sis_group_id");
        w.WriteNull("sis_import_id");
        w.WriteBoolean("has_submission", false);
        w.WriteBoolean("concluded", false);
        w.WriteBoolean("non_collaborative", false);
        if (users is not null)
        {
            w.WriteStartArray("users");
            foreach (var u in users) UserDisplay(w, u);
            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    public static void Membership(Utf8JsonWriter w, SMembership m)
    {
        w.WriteStartObject();
        w.WriteNumber("id", m.Id);
        w.WriteNumber("group_id", m.GroupId);
        w.WriteNumber("user_id", m.UserId);
        w.WriteString("workflow_state", m.State);
        w.WriteBoolean("moderator", m.Moderator);
        w.WriteTime("created_at", m.CreatedAt);
        w.WriteEndObject();
    }
}
