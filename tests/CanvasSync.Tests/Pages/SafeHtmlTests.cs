using CanvasSync.Pages.Shared;

namespace CanvasSync.Tests.Pages;

public sealed class SafeHtmlTests
{
    private const string Canvas = "https://school.instructure.com";

    private static string Clean(string html) => SafeHtml.From(html, Canvas)?.ToString() ?? "";

    [Theory]
    [InlineData("<p>Imported</p><script>alert('xss')</script>", "<p>Imported</p>")]
    [InlineData("<p onclick=\"alert(1)\" style=\"color:red\" class=\"x\">Click</p>", "<p>Click</p>")]
    [InlineData("<iframe src=\"https://www.youtube.com/embed/x\"></iframe><p>after</p>", "<p>after</p>")]
    [InlineData("<a href=\"javascript:alert(1)\">link</a>", "<a>link</a>")]
    [InlineData("<a href=\" JaVaScRiPt:alert(1)\">link</a>", "<a>link</a>")]
    [InlineData("<svg><script>alert(1)</script></svg><math><mi>x</mi></math>ok", "ok")]
    [InlineData("<form action=\"/x\"><input name=a><button>Go</button></form>kept", "kept")]
    [InlineData("<style>body{display:none}</style><!-- a comment --><b>bold</b>", "<b>bold</b>")]
    [InlineData("<custom-widget><em>inner text stays</em></custom-widget>", "<em>inner text stays</em>")]
    [InlineData("<img src=x onerror=alert(1)>",
        "<a href=\"https://school.instructure.com/x\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">[image: open]</a>")]
    [InlineData("<a href=\"java&#x09;script:alert(1)\">tab</a>", "<a>tab</a>")]
    [InlineData("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "")]
    [InlineData("<div><a href=\"vbscript:msgbox(1)\" name=\"cookie\">v</a></div>", "<div><a>v</a></div>")]
    public void Scripts_handlers_frames_and_unsafe_urls_are_removed(string html, string expected) => Assert.Equal(expected, Clean(html));

    [Fact]
    public void Links_are_absolute_on_the_canvas_host_and_open_apart()
    {
        Assert.Equal("<a href=\"https://school.instructure.com/courses/1/files/2\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">file</a>",
            Clean("<a href=\"/courses/1/files/2\" target=\"_self\">file</a>"));
        Assert.Equal("<a href=\"mailto:t@school.edu\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">mail</a>",
            Clean("<a href=\"mailto:t@school.edu\">mail</a>"));
    }

    [Fact]
    public void Pasted_raster_images_stay_and_other_data_uris_go()
    {
        Assert.Equal("<img src=\"data:image/png;base64,AAAA\" alt=\"shot\">",
            Clean("<img src=\"data:image/png;base64,AAAA\" alt=\"shot\">"));
        Assert.Equal("", Clean("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">"));
        Assert.Equal("<a>x</a>", Clean("<a href=\"data:text/html,<script>alert(1)</script>\">x</a>"));
    }

    [Fact]
    public void Formatting_tables_and_entities_survive()
    {
        var html = "<h2>Essay</h2><p>Use <strong>12pt</strong> &amp; cite — “quotes” 🎉</p><ul><li>one</li></ul><table><tr><td colspan=\"2\">1 &lt; 2</td></tr></table>";
        Assert.Equal("<h2>Essay</h2><p>Use <strong>12pt</strong> &amp; cite — “quotes” 🎉</p><ul><li>one</li></ul><table><tbody><tr><td colspan=\"2\">1 &lt; 2</td></tr></tbody></table>", Clean(html));
        Assert.Null(SafeHtml.From("   ", Canvas));
        Assert.Null(SafeHtml.From("<script>only</script>", Canvas));
    }
}
