using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace CanvasSync.Pages.Shared;

/// <summary>One day of a chart: its label and up to two values (a bar's two stacked parts, or two lines).</summary>
internal sealed record ChartDay(string Label, double? First, double? Second);

/// <summary>
/// Small charts drawn on the server as inline SVG: no script, no library, styled by the page's CSS (classes, not
/// inline styles, which the CSP forbids). Every bar and point has a &lt;title&gt; with its figures.
/// </summary>
internal static class SvgChart
{
    private const int Width = 640, Height = 220, Left = 44, Right = 8, Top = 12, Bottom = 28;

    /// <summary>Stacked bars per day: <see cref="ChartDay.First"/> at the bottom, <see cref="ChartDay.Second"/> on top.</summary>
    public static IHtmlContent Bars(string id, string title, IReadOnlyList<ChartDay> days, string firstName, string secondName)
    {
        var max = Math.Max(1, days.Max(d => (d.First ?? 0) + (d.Second ?? 0)));
        var svg = Open(id, title, max, "");
        var slot = (double)(Width - Left - Right) / Math.Max(1, days.Count);
        for (var i = 0; i < days.Count; i++)
        {
            var (first, second) = (days[i].First ?? 0, days[i].Second ?? 0);
            var x = Left + i * slot + slot * 0.15;
            var h1 = Scale(first, max);
            var h2 = Scale(second, max);
            svg.Append(Invariant($"<g class=\"day\"><title>{Show.Encode(days[i].Label)}: {first:0} {firstName}, {second:0} {secondName}</title>"));
            svg.Append(Invariant($"<rect class=\"bar first\" x=\"{x:0.#}\" y=\"{Height - Bottom - h1:0.#}\" width=\"{slot * 0.7:0.#}\" height=\"{h1:0.#}\"/>"));
            svg.Append(Invariant($"<rect class=\"bar second\" x=\"{x:0.#}\" y=\"{Height - Bottom - h1 - h2:0.#}\" width=\"{slot * 0.7:0.#}\" height=\"{h2:0.#}\"/></g>"));
        }

        return Close(svg, days);
    }

    /// <summary>Two lines per day (days without a value leave a gap), e.g. p50 and p95 durations in seconds.</summary>
    public static IHtmlContent Lines(string id, string title, IReadOnlyList<ChartDay> days, string firstName, string secondName,
        string unit)
    {
        var max = Math.Max(0.001, days.Max(d => Math.Max(d.First ?? 0, d.Second ?? 0)));
        var svg = Open(id, title, max, unit);
        var slot = (double)(Width - Left - Right) / Math.Max(1, days.Count);
        foreach (var (pick, css, name) in new (Func<ChartDay, double?>, string, string)[] { (d => d.First, "first", firstName),
            (d => d.Second, "second", secondName) })
        {
            var points = new StringBuilder();
            for (var i = 0; i < days.Count; i++)
            {
                if (pick(days[i]) is not { } v) continue;
                var (x, y) = (Left + i * slot + slot / 2, Height - Bottom - Scale(v, max));
                points.Append(Invariant($"{x:0.#},{y:0.#} "));
                svg.Append(Invariant($"<circle class=\"point {css}\" cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"3\"><title>{Show.Encode(days[i].Label)}: {name} {v:0.##} {unit}</title></circle>"));
            }

            if (points.Length > 0) svg.Append(Invariant($"<polyline class=\"line {css}\" points=\"{points.ToString().TrimEnd()}\"/>"));
        }

        return Close(svg, days);
    }

    private static double Scale(double value, double max) => value / max * (Height - Top - Bottom);

    private static StringBuilder Open(string id, string title, double max, string unit)
    {
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"{id}-title\">"));
        svg.Append(Invariant($"<title id=\"{id}-title\">{Show.Encode(title)}</title>"));
        svg.Append(Invariant($"<line class=\"axis\" x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\"/>"));
        svg.Append(Invariant($"<line class=\"grid\" x1=\"{Left}\" y1=\"{Top}\" x2=\"{Width - Right}\" y2=\"{Top}\"/>"));
        svg.Append(Invariant($"<text class=\"tick\" x=\"{Left - 6}\" y=\"{Top + 4}\" text-anchor=\"end\">{max:0.##}{unit}</text>"));
        svg.Append(Invariant($"<text class=\"tick\" x=\"{Left - 6}\" y=\"{Height - Bottom + 4}\" text-anchor=\"end\">0</text>"));
        return svg;
    }

    private static IHtmlContent Close(StringBuilder svg, IReadOnlyList<ChartDay> days)
    {
        if (days.Count > 0)
        {
            svg.Append(Invariant($"<text class=\"tick\" x=\"{Left}\" y=\"{Height - 8}\">{Show.Encode(days[0].Label)}</text>"));
            svg.Append(Invariant($"<text class=\"tick\" x=\"{Width - Right}\" y=\"{Height - 8}\" text-anchor=\"end\">{Show.Encode(days[^1].Label)}</text>"));
        }

        return new HtmlString(svg.Append("</svg>").ToString());
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
