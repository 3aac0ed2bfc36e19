using System.Globalization;
using System.Text.Encodings.Web;

namespace CanvasSync.Sandbox.Json;

/// <summary>
/// Escapes strings the way Rails does in JSON: &lt; &gt; &amp; and U+2028/2029 as lowercase \u00XX escapes, quotes,
/// backslashes and control characters escaped, and everything else (accents, CJK, emoji) left as raw UTF-8.
/// System.Text.Json's encoders either escape all non-ASCII or none of &lt;&gt;&amp;, so neither matches Canvas.
/// </summary>
internal sealed class RailsJsonEncoder : JavaScriptEncoder
{
    public static readonly RailsJsonEncoder Instance = new();

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar is '"' or '\\' or '<' or '>' or '&' or 0x2028 or 0x2029;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (var i = 0; i < textLength; i++)
        {
            if (WillEncode(text[i])) return i;
        }

        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        ReadOnlySpan<char> encoded = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ when WillEncode(unicodeScalar) => "\\u" + unicodeScalar.ToString("x4", CultureInfo.InvariantCulture),
            _ => new System.Text.Rune(unicodeScalar).ToString(),
        };
        if (encoded.Length > bufferLength)
        {
            numberOfCharactersWritten = 0;
            return false;
        }

        encoded.CopyTo(new Span<char>(buffer, bufferLength));
        numberOfCharactersWritten = encoded.Length;
        return true;
    }
}
