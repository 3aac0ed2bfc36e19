using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CanvasSync.Data;

/// <summary>Every DateTime is UTC: written as UTC, read back with Kind=Utc (SQLite and Npgsql both lose or demand the kind).</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : DateTime.SpecifyKind(v, DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

/// <summary>Enums stored as the snake_case words the API speaks ("needs_reauth"), readable in either database.</summary>
internal sealed partial class SnakeCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(
    v => ToSnake(v.ToString()),
    v => Enum.Parse<TEnum>(v.Replace("_", "", StringComparison.Ordinal), true))
    where TEnum : struct, Enum
{
    public static string ToSnake(string name) => Upper().Replace(name, "_$1").TrimStart('_').ToLowerInvariant();

    [GeneratedRegex("([A-Z])")]
    private static partial Regex Upper();
}
