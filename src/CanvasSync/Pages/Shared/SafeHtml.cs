using System.Diagnostics;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;
using Microsoft.AspNetCore.Html;

namespace CanvasSync.Pages.Shared;

/// <summary>
/// Canvas HTML (assignment descriptions) made safe to show, by HtmlSanitizer (a maintained allowlist sanitiser over
/// AngleSharp): plain formatting elements and attributes, links and images only to http(s) or mailto (relative ones
/// resolved against the Canvas host), pasted raster images kept; scripts, styles, frames, forms, event handlers and
/// everything else dropped. The page's CSP forbids inline script as well, so a slip here is still not an executed script.
/// </summary>
internal static partial class SafeHtml
{
    private static readonly HtmlParser Parser = new();

    private static readonly HtmlSanitizerOptions Allowed = new()
    {
        AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "p", "br", "hr", "div", "span", "b", "strong", "i", "em", "u", "s", "sub", "sup", "small", "mark", "code", "pre", "blockquote",
            "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
            "caption", "a", "img", "figure", "figcaption", "abbr",
        },
        AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "href", "src", "alt", "title", "colspan", "rowspan", "scope", "width", "height",
        },
        UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "src" },
        // data: only for pasted raster images, which FilterUrl narrows to.
        AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto", "data" },
        AllowedCssProperties = new HashSet<string>(),
        AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        AllowedClasses = new HashSet<string>(),
    };

    /// <summary>Removed with everything inside them: their content is code or chrome, never text for a reader.</summary>
    private static readonly HashSet<string> DroppedWhole = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "template", "svg", "math", "form",
        "input", "button", "select", "textarea", "link", "meta", "base", "title", "head",
    };

    [GeneratedRegex("^data:image/(png|jpeg|gif|webp);base64,", RegexOptions.IgnoreCase)]
    private static partial Regex RasterDataUri();

    /// <summary>
    /// Null for no content, or when cleaning takes longer than <paramref name="budget"/>. Callers bound the input first
    /// (<see cref="Features.Assignments.AssignmentDescription"/>): the parser's work grows with nesting depth.
    /// </summary>
    public static IHtmlContent? From(string? html, string canvasBaseUrl, TimeSpan? budget = null) =>
        string.IsNullOrWhiteSpace(html) ? null : Sanitized(Parse(html), canvasBaseUrl, budget);

    /// <summary>Canvas HTML parsed as a body's content, the form <see cref="Sanitized"/> takes.</summary>
    public static IHtmlDocument Parse(string html)
    {
        var document = Parser.ParseDocument("<body></body>");
        document.Body!.InnerHtml = html;
        return document;
    }

    /// <summary><see cref="From"/> for a document already parsed (and read otherwise first): it is cleaned in place.</summary>
    public static IHtmlContent? Sanitized(IHtmlDocument document, string canvasBaseUrl, TimeSpan? budget = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((budget ?? TimeSpan.FromSeconds(30)).TotalSeconds * Stopwatch.Frequency);
        var sanitizer = new HtmlSanitizer(Allowed) { KeepChildNodes = true };
        sanitizer.RemovingTag += (_, e) =>
        {
            PastDeadline(deadline);
            // Unknown wrappers go and their text stays (KeepChildNodes); these go with their content.
            if (!DroppedWhole.Contains(e.Tag.LocalName)) return;
            e.Tag.Remove();
            e.Cancel = true;
        };
        sanitizer.FilterUrl += (_, e) =>
        {
            if (e.SanitizedUrl is { } url && url.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
                && !(e.Tag.LocalName == "img" && RasterDataUri().IsMatch(url)))
                e.SanitizedUrl = null;
        };
        sanitizer.PostProcessNode += (_, _) => PastDeadline(deadline);
        try
        {
            sanitizer.SanitizeDom(document, document.Body, canvasBaseUrl.TrimEnd('/') + "/");
            var body = document.Body!;
            foreach (var element in body.QuerySelectorAll("*").ToList()) LinksOpenApart(element);
            return string.IsNullOrWhiteSpace(body.InnerHtml) ? null : new HtmlString(body.InnerHtml);
        }
        catch (TimeoutException)
        {
            return null; // what is left is not safe to show
        }
    }

    private static void PastDeadline(long deadline)
    {
        if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException("sanitising took longer than its budget");
    }

    /// <summary>href belongs to links and src to images; a link opens in a new tab without telling the target who sent it.</summary>
    private static void LinksOpenApart(IElement element)
    {
        if (element.LocalName != "a") element.RemoveAttribute("href");
        if (element.LocalName != "img") element.RemoveAttribute("src");
        if (element.LocalName == "a" && element.HasAttribute("href"))
        {
            element.SetAttribute("rel", "noopener noreferrer nofollow");
            element.SetAttribute("target", "_blank");
        }

        if (element.LocalName == "img") ImageOrLink(element);
    }

    /// <summary>
    /// Pasted images (data: URIs) are shown; an image on another host becomes a link to it, so that opening a page
    /// never fetches from elsewhere (the CSP would refuse it anyway, and a remote image can track who looks).
    /// </summary>
    private static void ImageOrLink(IElement image)
    {
        var src = image.GetAttribute("src");
        if (src is null)
        {
            image.Remove();
            return;
        }

        if (src.StartsWith("data:", StringComparison.OrdinalIgnoreCase)) return;
        var link = image.Owner!.CreateElement("a");
        link.SetAttribute("href", src);
        link.SetAttribute("rel", "noopener noreferrer nofollow");
        link.SetAttribute("target", "_blank");
        link.TextContent = "[image: " + (image.GetAttribute("alt") is { Length: > 0 } alt ? alt : "open") + "]";
        image.Replace(link);
    }
}
