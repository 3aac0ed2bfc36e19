using System.Globalization;
using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.Json;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox.Api;

/// <summary>users/self, profile, courses (docs/canvas.md §5.1, §5.2) and account terms (§5.9).</summary>
internal static class UsersAndCoursesApi
{
    private static readonly CompareInfo Collation = CultureInfo.InvariantCulture.CompareInfo;

    public static void Map(SandboxRoutes routes)
    {
        routes.Get("/api/v1/users/self", r => CanvasResponse.Json(w => CanvasJson.UserSelf(w, r.User, r.BaseUrl)));
        routes.Get("/api/v1/users/{userId}", r => IsSelf(r) ? CanvasResponse.Json(w => CanvasJson.UserSelf(w, r.User, r.BaseUrl))
            : CanvasErrors.Unauthorized());
        routes.Get("/api/v1/users/{userId}/tokens/{tokenId}", ShowToken);
        routes.Get("/api/v1/users/self/profile", r => CanvasResponse.Json(w => CanvasJson.Profile(w, r.User, r.BaseUrl)));
        routes.Get("/api/v1/courses", ListCourses);
        routes.Get("/api/v1/users/{userId}/courses", r => IsSelf(r) ? ListCourses(r) : CanvasErrors.Unauthorized());
        routes.Get("/api/v1/courses/{courseId}", GetCourse);
        routes.Get("/api/v1/accounts/{accountId}/terms", ListTerms);
    }

    private static bool IsSelf(CanvasRequest r) => r.Route("userId") is var id
        && (id == "self" || id == r.User.Id.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// TokensController#show: by token_hint (the first 5 characters after the shard prefix) among the user's own
    /// tokens; the token itself is never in the answer.
    /// </summary>
    private static CanvasResponse ShowToken(CanvasRequest r)
    {
        if (!IsSelf(r)) return CanvasErrors.Unauthorized();
        var hint = r.Route("tokenId");
        using (r.World.Read())
        {
            var mine = r.World.Tokens.Values.Where(t => t.UserId == r.User.Id).OrderBy(t => t.Value, StringComparer.Ordinal).ToList();
            var index = mine.FindIndex(t => TokenHint(t.Value) == hint && t.State != TokenState.Deleted);
            if (index < 0) return CanvasErrors.NotFound();
            var token = mine[index];
            return CanvasResponse.Json(w => CanvasJson.AccessToken(w, token, index + 1, r.World.Anchor, TokenHint(token.Value)));
        }
    }

    private static string TokenHint(string token) => token[(token.IndexOf('~', StringComparison.Ordinal) + 1)..][..5];

    private static CanvasResponse ListCourses(CanvasRequest r)
    {
        var states = r.Query.GetArray("state");
        var enrollmentState = r.Query.Get("enrollment_state");
        var enrollmentType = r.Query.Get("enrollment_type");
        var includeTerm = r.Query.Includes("term");
        var totalScores = r.Query.Includes("total_scores");
        var rows = new List<(SCourse Course, List<SEnrollment> Mine, STerm? Term, bool Restricted)>();
        using (r.World.Read())
        {
            foreach (var group in r.World.EnrollmentsOfUser(r.User.Id).Where(e => e.State != "deleted").GroupBy(e => e.CourseId))
            {
                var course = r.World.Courses[group.Key];
                var mine = group.ToList();
                var teacher = Access.IsTeacher(mine);
                if (enrollmentType is not null && !mine.Any(e => e.Type.StartsWith(enrollmentType, StringComparison.OrdinalIgnoreCase)))
                    continue;
                if (course.WorkflowState == "deleted" && !states.Contains("deleted")) continue;
                // Students never see unpublished courses.
                if (course.WorkflowState == "unpublished" && !teacher) continue;

                bool keep;
                if (states.Count > 0) keep = states.Contains(course.WorkflowState);
                else if (enrollmentState == "completed") keep = course.WorkflowState == "completed";
                else if (enrollmentState == "invited_or_pending") keep = mine.Any(e => e.State is "invited" or "creation_pending");
                else keep = course.WorkflowState != "completed"; // the default: "current-ish" enrollments, concluded courses left out
                if (!keep) continue;

                rows.Add((course, mine, includeTerm ? r.World.Terms[course.TermId] : null, Access.IsRestrictedByDate(course, mine, r.Now)));
            }
        }

        // Sorted by the collation key of the course name, not by id.
        rows.Sort((a, b) => Collation.Compare(a.Course.Name, b.Course.Name, CompareOptions.IgnoreCase) is var c && c != 0 ? c
            : a.Course.Id.CompareTo(b.Course.Id));
        return Paginator.Numbered(r, rows, (w, x) =>
        {
            if (x.Restricted) CanvasJson.RestrictedCourse(w, x.Course);
            else CanvasJson.Course(w, x.Course, x.Mine, x.Term, totalScores, r.BaseUrl);
        });
    }

    private static CanvasResponse GetCourse(CanvasRequest r)
    {
        using (r.World.Read())
        {
            if (Access.Course(r, r.CourseIdFromRoute(), out var course, out _) is { } error) return error;
            var mine = Access.MyEnrollments(r.World, r.User.Id, course.Id);
            var term = r.Query.Includes("term") ? r.World.Terms[course.TermId] : null;
            return CanvasResponse.Json(w => CanvasJson.Course(w, course, mine, term, r.Query.Includes("total_scores"), r.BaseUrl));
        }
    }

    /// <summary>Admins only; the body is wrapped as {"enrollment_terms":[...]}.</summary>
    private static CanvasResponse ListTerms(CanvasRequest r)
    {
        if (!r.User.IsAdmin) return CanvasErrors.Unauthorized();
        List<STerm> terms;
        using (r.World.Read()) terms = r.World.Terms.Values.OrderBy(t => t.Id).ToList();
        var page = Paginator.Numbered(r, terms, (w, t) => CanvasJson.Term(w, t, accountShape: true));
        if (page.Status != 200) return page;
        // Re-wrap the array the paginator rendered.
        var wrapped = CanvasResponse.Json(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("enrollment_terms");
            w.WriteRawValue(page.Body, skipInputValidation: true);
            w.WriteEndObject();
        });
        wrapped.Link = page.Link;
        return wrapped;
    }
}
