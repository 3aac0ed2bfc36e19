using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CanvasSync.Data;

/// <summary>Every DateTime is UTC: written as UTC, read back with Kind=Utc (SQLite and Npgsql both lose or demand the kind).</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : DateTime.SpecifyKind(v, DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

/// <summary>Enums stored as the snake_case words the API speaks ("needs_reauth"), readable in either database.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(
    v => SnakeCase.From(v.ToString()),
    v => Enum.Parse<TEnum>(v.Replace("_", "", StringComparison.Ordinal), true))
    where TEnum : struct, Enum;

/// <summary>PascalCase to snake_case: column names, stored enum values, the words the CLI prints.</summary>
internal static partial class SnakeCase
{
    public static string From(string pascal) => Upper().Replace(pascal, "_$1").TrimStart('_').ToLowerInvariant();

    [GeneratedRegex("([A-Z])")]
    private static partial Regex Upper();
}
