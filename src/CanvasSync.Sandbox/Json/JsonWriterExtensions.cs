using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CanvasSync.Sandbox.Json;

/// <summary>Writes values in the forms Canvas (Rails) serves them.</summary>
internal static class JsonWriterExtensions
{
    /// <summary>ISO-8601 UTC with a Z and whole seconds; Canvas keeps microseconds but serves seconds.</summary>
    public static void WriteTime(this Utf8JsonWriter w, string name, DateTime? value)
    {
        if (value is { } t) w.WriteString(name, t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        else w.WriteNull(name);
    }

    public static void WriteStringOrNull(this Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name); else w.WriteString(name, value);
    }

    public static void WriteNumberOrNull(this Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v) w.WriteNumber(name, v); else w.WriteNull(name);
    }

    /// <summary>A Ruby Float: 10.0 not 10, 4.39e-05 not 4.39E-05.</summary>
    public static void WriteFloat(this Utf8JsonWriter w, string name, double? value)
    {
        w.WritePropertyName(name);
        if (value is { } v) w.WriteRawValue(RubyFloat(v), skipInputValidation: true);
        else w.WriteNullValue();
    }

    public static string RubyFloat(double v)
    {
        if (v == Math.Floor(v) && Math.Abs(v) < 1e16) return v.ToString("0.0", CultureInfo.InvariantCulture);
        var s = v.ToString("R", CultureInfo.InvariantCulture);
        if (!s.Contains('E', StringComparison.Ordinal)) return s;
        // Ruby: 4.39e-05 (lowercase, at least two exponent digits).
        var parts = s.Split('E');
        var exponent = int.Parse(parts[1], CultureInfo.InvariantCulture);
        return $"{parts[0]}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
    }

    public static readonly JsonWriterOptions Options = new() { Encoder = RailsJsonEncoder.Instance, SkipValidation = true };

    /// <summary>Serialises with Canvas's escaping into UTF-8 bytes.</summary>
    public static byte[] ToJsonBytes(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, Options)) write(w);
        return buffer.WrittenSpan.ToArray();
    }

    public static string ToJsonString(Action<Utf8JsonWriter> write) => Encoding.UTF8.GetString(ToJsonBytes(write));
}
