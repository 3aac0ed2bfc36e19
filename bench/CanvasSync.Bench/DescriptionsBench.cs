using System.Diagnostics;
using CanvasSync.Features.Assignments;
using CanvasSync.Pages.Shared;

namespace CanvasSync.Bench;

/// <summary>
/// `canvas-sync bench descriptions`: what rendering one assignment description costs, for ordinary Canvas HTML and for
/// hostile nesting, with the bounded renderer a sync uses and with the parser and sanitiser alone (what every course
/// page view did before descriptions were rendered at sync time). Prints figures; passes or fails nothing.
/// </summary>
internal static class DescriptionsBench
{
    private const string Canvas = "https://canvas.example.edu";

    public static int Run()
    {
        var paragraph = "<p>Read <b>chapter 3</b> and answer <a href=\"/courses/1/files/2\">the questions</a>.</p>";
        var table = "<table><tr><th>Part</th><th>Points</th></tr>"
            + string.Concat(Enumerable.Range(1, 40).Select(i => $"<tr><td>Part {i}</td><td>{i}</td></tr>")) + "</table>";
        (string Name, string Html)[] cases =
        [
            ("ordinary (3 paragraphs)", string.Concat(Enumerable.Repeat(paragraph, 3))),
            ("long (200 paragraphs, 5 tables)",
                string.Concat(Enumerable.Repeat(paragraph, 200)) + string.Concat(Enumerable.Repeat(table, 5))),
            ("worst within bounds (100 deep x 50)", Nested(100, 50)),
            ("nested 2,000 deep", Nested(2_000, 1)),
            ("nested 10,000 deep", Nested(10_000, 1)),
            ("nested 100,000 deep (1.1 MB)", Nested(100_000, 1)),
        ];
        Console.WriteLine($"{"description",-38} {"chars",10} {"bounded render",16} {"parser alone",14}");
        foreach (var (name, html) in cases)
        {
            var bounded = Time(() => AssignmentDescription.Render(html, Canvas));
            // The unbounded path grows with depth squared: past 10,000 deep it takes minutes, so it is not run there.
            var unbounded = html.Length <= 200_000 ? $"{Time(() => SafeHtml.From(html, Canvas)),11:0.0} ms" : "(minutes)";
            Console.WriteLine($"{name,-38} {html.Length,10:N0} {bounded,13:0.0} ms {unbounded,14}");
        }

        return 0;
    }

    private static string Nested(int depth, int times) =>
        string.Concat(Enumerable.Repeat(string.Concat(Enumerable.Repeat("<div>", depth)) + "text"
            + string.Concat(Enumerable.Repeat("</div>", depth)), times));

    /// <summary>Median of a few runs, in milliseconds (one warm-up first).</summary>
    private static double Time(Action render)
    {
        render();
        var runs = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            render();
            runs.Add(clock.Elapsed.TotalMilliseconds);
        }

        return runs.Order().ElementAt(runs.Count / 2);
    }
}
