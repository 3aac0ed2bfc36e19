using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CanvasSync.Hosting;

/// <summary>A page of a list, and the cursor of the next one (null on the last page).</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// Keyset paging shared by the list endpoints: a limit checked against its bounds, and opaque cursors (base64url of a
/// few '|'-separated values) so a client cannot mistake them for ids and the format may change.
/// </summary>
internal static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static ProblemHttpResult? CheckLimit(int limit, int max = MaxLimit) =>
        limit < 1 || limit > max ? Problems.Field("limit", $"limit must be between 1 and {max}") : null;

    public static string Encode(params object?[] parts) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('|', parts.Select(p => p switch
        {
            null => "",
            DateTime d => d.Ticks.ToString(CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => p.ToString(),
        }))));

    /// <summary>The cursor's parts, or null when it is not one of ours (the caller answers 400 on its field).</summary>
    public static string[]? Decode(string cursor, int parts)
    {
        try
        {
            var values = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split('|');
            return values.Length == parts ? values : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A (due date, id) cursor, the order of assignments and tasks: by due date, undated last, then id.</summary>
    public static bool TryDecodeDue(string? cursor, out DueCursor? value)
    {
        value = null;
        if (cursor is null) return true;
        if (Decode(cursor, 2) is not [var due, var id]) return false;
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var after)) return false;
        if (due.Length == 0)
        {
            value = new DueCursor(null, after);
            return true;
        }

        if (!long.TryParse(due, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTime.MaxValue.Ticks)
            return false;
        value = new DueCursor(new DateTime(ticks, DateTimeKind.Utc), after);
        return true;
    }

    public static ProblemHttpResult BadCursor(string field = "cursor") =>
        Problems.Field(field, $"{field} must be the next_cursor of an earlier page");
}

/// <summary>Where a page by due date ended: the last item's due date (null: undated) and id.</summary>
internal sealed record DueCursor(DateTime? Due, long Id);
