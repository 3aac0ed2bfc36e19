using System.Diagnostics;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Html;

namespace CanvasSync.Pages.Shared;

/// <summary>
/// Canvas HTML (assignment descriptions) made safe to show: an allowlist of plain formatting elements and attributes,
/// links and images only to http(s) (relative ones resolved against the Canvas host), pasted raster images kept;
/// scripts, styles, frames, forms, event handlers and everything else dropped. The page's CSP forbids inline script
/// as well, so a slip here is still not an executed script.
/// </summary>
public static partial class SafeHtml
{
    private static readonly HtmlParser Parser = new();

    private static readonly HashSet<string> Kept = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "br", "hr", "div", "span", "b", "strong", "i", "em", "u", "s", "sub", "sup", "small", "mark", "code", "pre", "blockquote",
        "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
        "caption", "a", "img", "figure", "figcaption", "abbr",
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
    public static IElement Parse(string html)
    {
        var body = Parser.ParseDocument("<body></body>").Body!;
        body.InnerHtml = html;
        return body;
    }

    /// <summary><see cref="From"/> for a body already parsed (and read otherwise first): it is cleaned in place.</summary>
    public static IHtmlContent? Sanitized(IElement body, string canvasBaseUrl, TimeSpan? budget = null)
    {
        var baseUri = new Uri(canvasBaseUrl.TrimEnd('/') + "/");
        var deadline = Stopwatch.GetTimestamp() + (long)((budget ?? TimeSpan.FromSeconds(30)).TotalSeconds * Stopwatch.Frequency);
        if (!Clean(body, baseUri, deadline)) return null;
        return string.IsNullOrWhiteSpace(body.InnerHtml) ? null : new HtmlString(body.InnerHtml);
    }

    /// <summary>False when the deadline passed before the whole tree was cleaned (what is left is not safe to show).</summary>
    private static bool Clean(IElement parent, Uri baseUri, long deadline)
    {
        if (Stopwatch.GetTimestamp() > deadline) return false;
        foreach (var node in parent.ChildNodes.ToList())
        {
            if (node is IComment) { node.RemoveFromParent(); continue; }
            if (node is not IElement element) continue;
            if (DroppedWhole.Contains(element.LocalName)) { element.Remove(); continue; }
            if (!Clean(element, baseUri, deadline)) return false;
            if (!Kept.Contains(element.LocalName))
            {
                // Unknown wrappers go, their text stays.
                foreach (var child in element.ChildNodes.ToList()) parent.InsertBefore(child, element);
                element.Remove();
                continue;
            }

            KeepSafeAttributes(element, baseUri);
        }

        return true;
    }

    private static void KeepSafeAttributes(IElement element, Uri baseUri)
    {
        foreach (var attribute in element.Attributes.ToList())
        {
            var name = attribute.Name.ToLowerInvariant();
            var keep = name switch
            {
                "href" when element.LocalName == "a" => SafeUrl(attribute.Value, baseUri, allowData: false) is { } href && Set(element, name, href),
                "src" when element.LocalName == "img" => SafeUrl(attribute.Value, baseUri, allowData: true) is { } src && Set(element, name, src),
                "alt" or "title" or "colspan" or "rowspan" or "scope" or "width" or "height" => true,
                _ => false,
            };
            if (!keep) element.RemoveAttribute(attribute.Name);
        }

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

    private static bool Set(IElement element, string name, string value)
    {
        element.SetAttribute(name, value);
        return true;
    }

    private static string? SafeUrl(string value, Uri baseUri, bool allowData)
    {
        var trimmed = value.Trim();
        if (allowData && RasterDataUri().IsMatch(trimmed)) return trimmed;
        if (!Uri.TryCreate(baseUri, trimmed, out var url)) return null;
        return url.Scheme is "http" or "https" or "mailto" ? url.AbsoluteUri : null;
    }
}
