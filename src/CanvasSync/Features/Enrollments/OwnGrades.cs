using System.Text;
using System.Text.Json;
using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Features.Enrollments;

/// <summary>
/// The four course totals Canvas's GraphQL served for a student's own enrollment, each as the raw JSON of its value:
/// current_score, final_score, current_grade, final_grade.
/// </summary>
internal sealed record GradeTexts(string CurrentScore, string FinalScore, string CurrentGrade, string FinalGrade);

/// <summary>
/// A student's own enrollment rows brought up to date with the grades the GraphQL delta's query served, instead of
/// reading the course's whole roster again. A recompute of the scores moves only these four values of the row
/// (docs/canvas.md §5.6: not its updated_at), and GraphQL reads them from the same Score that REST does and Rails
/// renders both answers, so the values are the bytes the roster would serve (§7). A row whose grades hold anything
/// but the link and the four totals (an override, current points: values the query does not ask for) is not
/// patched: the roster is read for it.
/// </summary>
internal static class OwnGrades
{
    private static readonly HashSet<string> RestKeys = ["html_url", "current_grade", "current_score", "final_grade", "final_score"];

    /// <summary>
    /// Writes each row with its new grades; false when any row cannot be patched exactly (the caller then reads the
    /// course's roster, which writes them all).
    /// </summary>
    public static async Task<bool> WriteAsync(PageWrite write, IReadOnlyDictionary<long, GradeTexts> grades)
    {
        var (list, parameters) = PageWrite.InList([.. grades.Keys]);
        var held = await write.RowsAsync($"SELECT canvas_id, raw_json FROM {EnrollmentsCollection.Table.Name} " +
            $"WHERE connection_id = @c AND deleted_at IS NULL AND canvas_id IN ({list})", r => (r.GetInt64(0), r.GetString(1)), parameters);
        if (held.Count != grades.Count) return false;
        var rows = new List<string>();
        foreach (var (id, raw) in held)
        {
            if (Patched(raw, grades[id]) is not { } patched) return false;
            rows.Add(patched);
        }

        await write.UpsertAsync(EnrollmentsCollection.Table, rows.Select(EnrollmentsCollection.RowOf));
        return true;
    }

    /// <summary>
    /// The row with its grades' four values replaced, every other byte as Canvas served it; null when its grades are
    /// not exactly the link and the four totals, or a value is not the JSON its field takes (a number or null for a
    /// score, a string or null for a grade).
    /// </summary>
    public static string? Patched(string raw, GradeTexts grades)
    {
        var replacements = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["current_score"] = grades.CurrentScore,
            ["final_score"] = grades.FinalScore,
            ["current_grade"] = grades.CurrentGrade,
            ["final_grade"] = grades.FinalGrade,
        };
        foreach (var (key, value) in replacements)
        {
            if (!IsValue(value, key.EndsWith("_score", StringComparison.Ordinal) ? JsonTokenType.Number : JsonTokenType.String))
                return null;
        }

        var bytes = Encoding.UTF8.GetBytes(raw);
        var spans = new List<(int Start, int End, string Value)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(bytes);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1 || !reader.ValueTextEquals("grades"))
                    continue;
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    if (!RestKeys.Contains(name) || !seen.Add(name) || !reader.Read()) return null;
                    var start = (int)reader.TokenStartIndex;
                    var nested = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray;
                    reader.Skip();
                    if (!replacements.TryGetValue(name, out var value)) continue;
                    if (nested) return null;
                    spans.Add((start, (int)reader.BytesConsumed, value));
                }

                break;
            }
        }
        catch (JsonException)
        {
            return null;
        }

        if (!seen.SetEquals(RestKeys)) return null;
        var patched = new StringBuilder();
        var at = 0;
        foreach (var (start, end, value) in spans.OrderBy(s => s.Start))
        {
            patched.Append(Encoding.UTF8.GetString(bytes, at, start - at)).Append(value);
            at = end;
        }

        return patched.Append(Encoding.UTF8.GetString(bytes, at, bytes.Length - at)).ToString();
    }

    /// <summary>One JSON value of the token type a field takes, or null.</summary>
    private static bool IsValue(string text, JsonTokenType type)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        try
        {
            return reader.Read() && (reader.TokenType == type || reader.TokenType == JsonTokenType.Null) && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
