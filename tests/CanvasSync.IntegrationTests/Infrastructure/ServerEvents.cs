using System.Runtime.CompilerServices;
using System.Text.Json;

namespace CanvasSync.IntegrationTests.Infrastructure;

public sealed record ServerEvent(string Event, string Id, JsonElement Data)
{
    public long NumericId => long.Parse(Id, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A sync's text/event-stream, read event by event until the server closes it after the final event.</summary>
public static class ServerEvents
{
    public static async IAsyncEnumerable<ServerEvent> ReadAsync(HttpClient http, long syncId, long? lastEventId = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/canvas/sync/{syncId}/events");
        if (lastEventId is { } last) request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Xunit.Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        string? name = null, eventId = null, data = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) eventId = line[4..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            else if (line.Length == 0 && data is not null)
            {
                yield return new ServerEvent(name ?? "message", eventId ?? "", JsonDocument.Parse(data).RootElement.Clone());
                (name, eventId, data) = (null, null, null);
            }
        }
    }
}
