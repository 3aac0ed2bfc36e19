using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using CanvasSync.Pages.Shared;

namespace CanvasSync.Features.Assignments;

/// <summary>An assignment's description as CanvasSync shows it: safe HTML for pages, plain text for tasks. Null: none.</summary>
internal sealed record RenderedDescription(string? Html, string? Text);

/// <summary>
/// Renders an assignment's description once, when a sync writes the assignment, never on a page view. Canvas HTML is
/// whatever a teacher (or a hostile Canvas) sent, and an HTML5 parser's work grows with nesting depth (50,000 nested
/// divs take AngleSharp 18 s), so the work is bounded before parsing: at most <see cref="MaxTags"/> tags nested at
/// most <see cref="MaxDepth"/> deep, counted by one linear scan, and at most <see cref="TimeBudget"/> of sanitising.
/// A description past a bound is shown as plain text taken by that same linear scan, with a line saying so.
/// </summary>
internal static partial class AssignmentDescription
{
    public const int MaxTags = 10_000;
    public const int MaxDepth = 100;
    public const int MaxTextChars = 200_000;
    public static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(2);

    public const string TooComplexNote =
        "This description is too complex to show formatted here; open it in Canvas to see it as its author made it.";

    /// <summary>Elements that end a line of text: without a break after them, "&lt;p&gt;a&lt;/p&gt;&lt;p&gt;b&lt;/p&gt;" would read
    /// "ab".</summary>
    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr",
    };

    /// <summary>Elements with no end tag, and elements whose end tag HTML lets a writer leave out: neither deepens nesting.</summary>
    private static readonly HashSet<string> Flat = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
        "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp", "thead", "tbody", "tfoot", "colgroup", "caption",
    };

    [GeneratedRegex(@"[^\S\n]+")]
    private static partial Regex Spaces();

    public static RenderedDescription Render(string? html, string canvasBaseUrl)
    {
        if (string.IsNullOrWhiteSpace(html)) return new RenderedDescription(null, null);
        if (!WithinBounds(html)) return Fallback(html);
        var clock = Stopwatch.StartNew();
        // One parse: the text is read from the tree first, then the same tree is sanitised in place.
        var document = SafeHtml.Parse(html);
        var text = PlainText(document.Body!);
        var safe = SafeHtml.Sanitized(document, canvasBaseUrl, TimeBudget - clock.Elapsed);
        return safe is null && clock.Elapsed > TimeBudget ? Fallback(html) : new RenderedDescription(safe?.ToString(), text);
    }

    /// <summary>At most <see cref="MaxTags"/> tags, nested at most <see cref="MaxDepth"/> deep, by one linear scan.</summary>
    public static bool WithinBounds(string html)
    {
        int tags = 0, depth = 0;
        for (var at = 0; NextTag(html, at) is { } tag; at = tag.End)
        {
            if (++tags > MaxTags) return false;
            if (tag.Flat) continue;
            if (tag.Closing) depth = Math.Max(0, depth - 1);
            else if (++depth > MaxDepth) return false;
        }

        return true;
    }

    /// <summary>One tag: where it starts and ends, whether it closes, and whether it leaves the nesting as it was.</summary>
    private readonly record struct Tag(int Start, int End, bool Closing, bool Flat);

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> FlatNames = Flat.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The next tag at or after <paramref name="from"/> ("&lt;" and a letter, up to the next "&gt;"), or null: a plain scan, no
    /// backtracking.</summary>
    private static Tag? NextTag(string html, int from)
    {
        for (var open = html.IndexOf('<', from); open >= 0; open = html.IndexOf('<', open + 1))
        {
            var i = open + 1;
            var closing = i < html.Length && html[i] == '/';
            if (closing) i++;
            var name = i;
            while (i < html.Length && (char.IsAsciiLetterOrDigit(html[i]) || html[i] == '-')) i++;
            if (i == name || !char.IsAsciiLetter(html[name])) continue;
            var end = html.IndexOf('>', i);
            if (end < 0) return null;
            var flat = FlatNames.Contains(html.AsSpan(name, i - name)) || html[end - 1] == '/';
            return new Tag(open, end + 1, closing, flat);
        }

        return null;
    }

    /// <summary>
    /// The description as text, from the parsed tree: scripts and styles dropped, entities decoded, a line ended after
    /// each block element, spaces folded. One walk, changing nothing (the sanitiser cleans the same tree next).
    /// </summary>
    private static string? PlainText(IElement body)
    {
        var text = new StringBuilder();
        var pending = new Stack<(INode Node, bool Leaving)>();
        pending.Push((body, false));
        while (pending.TryPop(out var next))
        {
            var (node, leaving) = next;
            if (leaving)
            {
                text.Append('\n');
                continue;
            }

            if (node is IText t) text.Append(t.Data);
            if (node is not IElement element || element.LocalName is "script" or "style") continue;
            if (BlockElements.Contains(element.LocalName)) pending.Push((node, true));
            for (var child = node.LastChild; child is not null; child = child.PreviousSibling) pending.Push((child, false));
        }

        return Folded(text.ToString());
    }

    /// <summary>Past a bound: the text between the tags (the same linear scan, no parser), shown escaped under a note.</summary>
    private static RenderedDescription Fallback(string html)
    {
        var between = new StringBuilder(Math.Min(html.Length, MaxTextChars));
        var at = 0;
        for (; NextTag(html, at) is { } tag && between.Length <= MaxTextChars; at = tag.End)
            between.Append(html, at, tag.Start - at).Append(tag.Flat ? '\n' : ' ');
        if (between.Length <= MaxTextChars) between.Append(html, at, html.Length - at);
        var text = Folded(WebUtility.HtmlDecode(between.ToString()));
        if (text is { Length: > MaxTextChars }) text = text[..MaxTextChars] + "…";
        var page = new StringBuilder("<p><em>").Append(WebUtility.HtmlEncode(TooComplexNote)).Append("</em></p>");
        if (text is not null) page.Append("<pre>").Append(WebUtility.HtmlEncode(text)).Append("</pre>");
        return new RenderedDescription(page.ToString(), text);
    }

    private static string? Folded(string text)
    {
        var lines = text.Split('\n').Select(l => Spaces().Replace(l, " ").Trim()).Where(l => l.Length > 0);
        var joined = string.Join('\n', lines);
        return joined.Length == 0 ? null : joined;
    }
}
