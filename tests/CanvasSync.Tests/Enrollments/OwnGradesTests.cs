using CanvasSync.Features.Enrollments;

namespace CanvasSync.Tests.Enrollments;

/// <summary>
/// A student's own enrollment row takes the grades GraphQL served without a byte of the rest of it moving; a row whose
/// grades hold more than the link and the four totals, or a value of the wrong kind, is left to the roster listing.
/// </summary>
public sealed class OwnGradesTests
{
    private const string Row = """{"id":7,"user_id":3,"course_id":5,"type":"StudentEnrollment","updated_at":"2026-01-02T03:04:05Z","grades":{"html_url":"https://x/courses/5/grades/3","current_grade":"B","current_score":85.5,"final_grade":"C \u003c D","final_score":70.0},"html_url":"https://x/courses/5/users/3","user":{"id":3,"name":"Zoë \u0026 Co"}}""";

    [Fact]
    public void The_four_totals_are_replaced_with_the_served_bytes_and_nothing_else_moves()
    {
        var patched = OwnGrades.Patched(Row, new GradeTexts("90.0", "null", "\"A-\"", "null"));

        const string Before = "\"current_grade\":\"B\",\"current_score\":85.5,\"final_grade\":\"C \\u003c D\",\"final_score\":70.0";
        const string After = "\"current_grade\":\"A-\",\"current_score\":90.0,\"final_grade\":null,\"final_score\":null";
        Assert.Equal(Row.Replace(Before, After, StringComparison.Ordinal), patched);
    }

    [Theory]
    [InlineData("""{"id":7,"grades":{"html_url":"u"}}""")] // grades hidden: the link alone
    [InlineData("""{"id":7,"grades":{"html_url":"u","current_grade":null,"current_score":1.0,"final_grade":null,"final_score":1.0,"override_score":2.0}}""")]
    [InlineData("""{"id":7,"grades":{"html_url":"u","current_grade":null,"current_score":{"x":1},"final_grade":null,"final_score":1.0}}""")]
    [InlineData("""{"id":7}""")]
    [InlineData("""{"id":7,"grades":{"html_url":"u","current_grade":null,"current_score":1.0""")]
    public void A_row_whose_grades_are_not_the_link_and_the_four_totals_is_not_patched(string row) =>
        Assert.Null(OwnGrades.Patched(row, new GradeTexts("1.0", "1.0", "null", "null")));

    [Theory]
    [InlineData("\"90\"", "null")] // a score that is a string
    [InlineData("90.0", "91")] // a grade that is a number
    [InlineData("90.0 1", "null")] // two values
    [InlineData("", "null")]
    public void A_served_value_of_the_wrong_kind_is_not_written(string score, string grade) =>
        Assert.Null(OwnGrades.Patched(Row, new GradeTexts(score, "null", grade, "null")));
}
