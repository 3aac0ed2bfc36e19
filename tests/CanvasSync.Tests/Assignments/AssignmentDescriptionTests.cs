using CanvasSync.Features.Assignments;

namespace CanvasSync.Tests.Assignments;

public sealed class AssignmentDescriptionTests
{
    private const string Canvas = "https://school.instructure.com";

    [Fact]
    public void An_ordinary_description_becomes_safe_html_and_text_with_a_line_per_block()
    {
        var d = AssignmentDescription.Render("<h2>Lab 3</h2><p>Bring <b>goggles</b> &amp; a pen.</p><script>x()</script><ul><li>one</li><li>two</li></ul>", Canvas);
        Assert.Equal("<h2>Lab 3</h2><p>Bring <b>goggles</b> &amp; a pen.</p><ul><li>one</li><li>two</li></ul>", d.Html);
        Assert.Equal("Lab 3\nBring goggles & a pen.\none\ntwo", d.Text);
        Assert.Equal(new RenderedDescription(null, null), AssignmentDescription.Render("  ", Canvas));
    }

    [Theory]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void Nesting_is_bounded_by_depth(int depth, bool within)
    {
        var html = string.Concat(Enumerable.Repeat("<div>", depth)) + "x" + string.Concat(Enumerable.Repeat("</div>", depth));
        Assert.Equal(within, AssignmentDescription.WithinBounds(html));
    }

    [Fact]
    public void Elements_html_lets_authors_leave_open_and_void_elements_do_not_count_as_depth()
    {
        var list = "<ul>" + string.Concat(Enumerable.Repeat("<li>item<br><img src=a.png>", 500)) + "</ul>";
        Assert.True(AssignmentDescription.WithinBounds(list));
        Assert.False(AssignmentDescription.WithinBounds(string.Concat(Enumerable.Repeat("<span>a</span>", AssignmentDescription.MaxTags))));
    }

    [Fact]
    public void Past_a_bound_the_description_is_its_text_under_a_note_and_stays_escaped()
    {
        var html = string.Concat(Enumerable.Repeat("<div>", 50_000)) + "<script>alert('x')</script>deep &lt;text&gt;";
        var d = AssignmentDescription.Render(html, Canvas);
        Assert.Equal("alert('x') deep <text>", d.Text);
        Assert.Equal($"<p><em>{AssignmentDescription.TooComplexNote}</em></p><pre>alert(&#39;x&#39;) deep &lt;text&gt;</pre>", d.Html);
    }
}
