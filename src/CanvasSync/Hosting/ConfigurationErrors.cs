using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace CanvasSync.Hosting;

/// <summary>Turns an options validation failure into "Section:Key: what is wrong", the one line an operator needs.</summary>
internal static partial class ConfigurationErrors
{
    [GeneratedRegex(@"members: '(?<member>[^']*)' with the error: '(?<error>.*)'\.?$")]
    private static partial Regex DataAnnotationFailure();

    public static string Describe(OptionsValidationException e)
    {
        var section = e.OptionsType.GetField("Section")?.GetValue(null) as string ?? e.OptionsType.Name;
        return string.Join("; ", e.Failures.Select(failure =>
        {
            var m = DataAnnotationFailure().Match(failure);
            if (!m.Success) return failure;
            var error = m.Groups["error"].Value;
            return error.StartsWith(section + ":", StringComparison.Ordinal) ? error : $"{section}:{m.Groups["member"].Value}: {error}";
        }));
    }
}
