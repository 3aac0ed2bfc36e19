using System.Globalization;
using System.Text.Encodings.Web;
using CanvasSync.Data;
using CanvasSync.Features.Courses;
using Microsoft.AspNetCore.Html;

namespace CanvasSync.Pages.Shared;

/// <summary>How the pages write times, durations, rates and Canvas's snake_case words.</summary>
internal static class Show
{
    /// <summary>
    /// A UTC time as a &lt;time&gt; element: the page's script rewrites it in the viewer's own time zone; without the
    /// script it reads as UTC.
    /// </summary>
    public static IHtmlContent Time(DateTime? utc)
    {
        if (utc is not { } t) return new HtmlString("<span class=\"muted\">—</span>");
        t = DateTime.SpecifyKind(t, DateTimeKind.Utc);
        var iso = t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return new HtmlString($"<time datetime=\"{iso}\" data-local>{t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC</time>");
    }

    /// <summary>
    /// A course's name; Canvas gives only the id of a course closed by its dates to students (access restricted by
    /// date), so the page says that rather than show a bare number.
    /// </summary>
    public static string CourseName(CourseView c) =>
        c.Name ?? (c.AccessRestrictedByDate ? $"Course {c.Id} (closed: Canvas shows no more of it after its end date)" : $"Course {c.Id}");

    public static string Duration(double? seconds) => seconds switch
    {
        null => "—",
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.0} s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds.Value / 60):0} min {seconds % 60:0} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds.Value / 3600):0} h {Math.Floor(seconds.Value % 3600 / 60):0} min"),
    };

    public static string Rate(double? rate) => rate is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r * 100:0.#}%") : "—";

    public static string Number(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "—";

    /// <summary>An enum as the API spells it: NeedsReauth → "needs_reauth".</summary>
    public static string Snake(Enum value) => SnakeCase.From(value.ToString());

    /// <summary>"needs_reauth" → "needs reauth".</summary>
    public static string Words(string? snake) => string.IsNullOrEmpty(snake) ? "" : snake.Replace('_', ' ');

    /// <summary>A short CSS class for a run or connection status, so colour is never the only sign (the word is always shown
    /// too).</summary>
    public static string Tone(string? status) => status switch
    {
        "completed" or "up_to_date" or "active" or "healthy" => "good",
        "completed_with_errors" or "stale" or "cancelled" or "degraded" or "syncing" or "queued" or "running" => "warn",
        "failed" or "needs_reauth" or "unhealthy" => "bad",
        _ => "plain",
    };

    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? "");
}
