using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CanvasSync.Data.Mirror;

/// <summary>
/// One mirrored item ready to write: its key, its JSON as served, and its typed column values in table order. Values
/// that cost work (a rendered description) can be given as a function: the writer asks for them only for rows it
/// writes, never for the unchanged ones a delta reads again.
/// </summary>
internal sealed record MirrorRow(long CanvasId, string RawJson, Func<object?[]> MakeValues, string? PlannableType = null)
{
    private object?[]? _values;

    public MirrorRow(long canvasId, string rawJson, object?[] values,
        string? plannableType = null) : this(canvasId, rawJson, () => values, plannableType) { }

    public object?[] Values => _values ??= MakeValues();
    public string Key => PlannableType is null ? CanvasId.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : $"{PlannableType}:{CanvasId}";
    public string ContentHash { get; } = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(RawJson)));

    /// <summary>An object nested in an item (a course's term, an enrollment's user), as Canvas served it there.</summary>
    public static string Nested(string raw, string property)
    {
        using var doc = JsonDocument.Parse(raw);
        return doc.RootElement.GetProperty(property).GetRawText();
    }
}

/// <summary>
/// A mirrored table as the bulk writer sees it: its name, the entity type it counts as, and its typed columns
/// (snake_case, as the migrations name them). The common columns (connection_id, canvas_id, raw_json, content_hash,
/// first/last_seen_at, deleted_at) are implied. Each collection declares its own, beside its rows.
/// <paramref name="DeltaReadsPart"/>: a delta reads only some of its rows (through filters and signals), so what a
/// reconcile has to write in it is drift. A table every delta re-lists in full changes in a reconcile only by what
/// Canvas changed since that delta.
/// </summary>
internal sealed record MirrorTable(string Name, string EntityType, string[] Columns, bool KeyedByPlannableType = false,
    bool DeltaReadsPart = false);
