using System.Text;

namespace CanvasSync.Sandbox.World;

/// <summary>
/// The awkward data real Canvas serves (docs/canvas.md §5): names in every script, duplicate and one-word names,
/// HTML with entities, emoji, U+2028, scripts and pasted data: images, descriptions of hundreds of KB.
/// </summary>
internal static class AwkwardContent
{
    private static readonly string[] FirstNames =
    [
        "Ana", "José", "Zoë", "Łukasz", "Søren", "Chloé", "Mei", "Hiroshi", "Aarav", "Fatima", "Olúwaseun", "Nguyễn",
        "Siobhán", "Björn", "Émile", "Priya", "Kwame", "Ingrid", "Mateo", "Yara", "Dmitri", "Amélie", "Tomás", "Leilani",
    ];

    private static readonly string[] LastNames =
    [
        "García", "O'Brien", "Müller", "Nakamura", "Smith", "Kowalski", "D'Angelo", "Øvergaard", "Patel", "Okafor",
        "Van der Berg", "Lefèvre", "Johnson", "Ng", "Fernández", "MacLeod", "Abdullah", "Rossi", "Chen", "Novák",
    ];

    // Full names that are awkward as a whole: CJK, right-to-left, emoji, one word, an apostrophe only.
    private static readonly string[] SpecialNames =
    [
        "王小明", "山田 花子", "محمد العلي", "שרה כהן", "Ζωή Παπαδοπούλου", "Ольга Иванова", "Prince", "Cher",
        "Jamie 🦄 Lee", "D'Arcy O'Neil-Ó Súilleabháin", "김민준", "Nguyễn Thị Minh Khai",
    ];

    /// <summary>A person's name; every 9th is special, and two in each hundred repeat an earlier name.</summary>
    public static (string Name, string Sortable, string Short) PersonName(int index)
    {
        string name;
        if (index % 100 == 42) name = PersonName(index - 1).Name; // same display name, different person
        else if (index % 9 == 5) name = SpecialNames[index / 9 % SpecialNames.Length];
        else name = $"{FirstNames[index % FirstNames.Length]} {LastNames[index * 7 / 3 % LastNames.Length]}";

        var space = name.LastIndexOf(' ');
        // One-word names sort as themselves, as Canvas does.
        var sortable = space < 0 ? name : $"{name[(space + 1)..]}, {name[..space]}";
        var shortName = space < 0 ? name : name[..space];
        return (name, sortable, shortName);
    }

    public static string Description(int kind, Random random, string assignmentName) => kind switch
    {
        0 => "",
        1 => $"<p>Read chapter {random.Next(1, 20)} &amp; answer the questions &mdash; due at midnight&nbsp;🎉.</p>"
             + "<ul><li>Show your work</li><li>Cite sources (APA)</li></ul><p>Line\u2028separator and “quotes”.</p>",
        2 => "<p>Lab instructions</p><table><tr><th>Step</th><th>Time</th></tr><tr><td>1 &lt; 2</td><td>5 min</td></tr></table>"
             + "<p><img class=\"equation_image\" title=\"x^2\" src=\"/equation_images/x%255E2\" alt=\"LaTeX: x^2\"></p>",
        3 => "<p>Imported from an old course.</p><script>alert('xss from " + assignmentName.Replace("'", "", StringComparison.Ordinal)
             + "')</script><p onclick=\"alert(1)\">Click</p><iframe src=\"https://www.youtube.com/embed/x\"></iframe>",
        _ => $"<h2>{assignmentName}</h2><p>Submit a {random.Next(2, 6)}-page essay. Use <strong>12pt</strong> font.</p>",
    };

    /// <summary>About 200 KB of HTML: a pasted data: image and a long table, as teachers really paste.</summary>
    public static string HugeDescription(Random random)
    {
        var sb = new StringBuilder(210_000);
        sb.Append("<p>Syllabus excerpt with a pasted screenshot:</p><p><img src=\"data:image/png;base64,");
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (var i = 0; i < 150_000; i++) sb.Append(alphabet[random.Next(alphabet.Length)]);
        sb.Append("\" alt=\"screenshot\"></p><table>");
        for (var row = 0; sb.Length < 200_000; row++)
            sb.Append("<tr><td>Week ").Append(row).Append("</td><td>Reading &amp; quiz — ¶ ").Append(row * 3).Append("</td></tr>");
        return sb.Append("</table>").ToString();
    }

    public static string LongName(int index) =>
        $"Comprehensive cumulative capstone project {index}: " + string.Concat(Enumerable.Repeat("research, drafting, peer review and revision; ", 5));

    /// <summary>A Canvas-looking personal access token: "7~" and 64 alphanumerics.</summary>
    public static string Token(Random random)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(66, random, (span, r) =>
        {
            span[0] = '7';
            span[1] = '~';
            for (var i = 2; i < span.Length; i++) span[i] = alphabet[r.Next(alphabet.Length)];
        });
    }
}
