using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CanvasSync.IntegrationTests.Infrastructure;

/// <summary>What the hostile server answers to every collection request.</summary>
public enum HostileAnswer
{
    /// <summary>A small gzip body that inflates to 1 GiB of JSON whitespace.</summary>
    GzipBomb,
    /// <summary>A 200 whose body never ends (chunked, a list of objects forever).</summary>
    EndlessBody,
    /// <summary>Each page is an empty list with a next link to one more page, forever.</summary>
    EndlessPages,
    /// <summary>A list nested a million levels deep.</summary>
    DeeplyNested,
    /// <summary>One byte a second.</summary>
    SlowDrip,
    /// <summary>Well-formed pages of items that cannot be read: one without an id, one whose id is an object.</summary>
    UnreadableItems,
}

/// <summary>
/// A server that a user could point canvas_url at: it answers users/self like Canvas (so the token is accepted) and
/// every other path with <see cref="Answer"/>. On loopback, for tests only.
/// </summary>
public sealed class HostileCanvas : IAsyncDisposable
{
    private static readonly Lazy<byte[]> Bomb = new(() =>
    {
        // 1 GiB of spaces after "[": valid JSON so far, never finished. Deflate compresses it about 1000 to 1.
        var chunk = Encoding.ASCII.GetBytes(new string(' ', 1 << 20));
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write("["u8);
            for (var i = 0; i < 1024; i++) gz.Write(chunk);
            gz.Write("]"u8);
        }

        return output.ToArray();
    });

    private readonly WebApplication _app;

    private HostileCanvas(WebApplication app) => _app = app;

    public HostileAnswer Answer { get; set; }

    /// <summary>users/self answers 403 with <see cref="InternalSecret"/> in its body, as an internal service might.</summary>
    public bool RefuseSelf { get; set; }

    public const string InternalSecret = "internal-db-password=hunter2";
    public string BaseUrl => _app.Urls.First();
    public int Requests => _requests;
    private int _requests;

    public static int BombSize => Bomb.Value.Length;

    public static async Task<HostileCanvas> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var hostile = new HostileCanvas(app);
        app.MapGet("/api/v1/users/self", () => hostile.RefuseSelf ? Results.Text(InternalSecret, statusCode: 403)
            : Results.Json(new { id = 666, name = "Mallory", sortable_name = "Mallory", short_name = "Mallory" }));
        app.MapGet("/api/v1/users/self/{**rest}", () =>
            Results.Json(new { errors = new[] { new { message = "The specified resource does not exist." } } }, statusCode: 404));
        app.Map("/{**path}", hostile.ServeAsync);
        await app.StartAsync();
        return hostile;
    }

    private async Task ServeAsync(HttpContext http)
    {
        Interlocked.Increment(ref _requests);
        var res = http.Response;
        res.ContentType = "application/json";
        var ct = http.RequestAborted;
        switch (Answer)
        {
            case HostileAnswer.GzipBomb:
                res.Headers.ContentEncoding = "gzip";
                res.ContentLength = Bomb.Value.Length;
                await res.Body.WriteAsync(Bomb.Value, ct);
                break;
            case HostileAnswer.EndlessBody:
                await res.Body.WriteAsync("["u8.ToArray(), ct);
                var item = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 1000).Select(i => $"{{\"id\":{i},\"name\":\"x\"}},")));
                while (!ct.IsCancellationRequested) await res.Body.WriteAsync(item, ct);
                break;
            case HostileAnswer.EndlessPages:
                var page = int.TryParse(http.Request.Query["page"], out var p) ? p : 1;
                res.Headers["Link"] = $"<{BaseUrl}{http.Request.Path}?page={page + 1}&per_page=100>; rel=\"next\"";
                await res.WriteAsync("[]", ct);
                break;
            case HostileAnswer.DeeplyNested:
                await res.Body.WriteAsync(Encoding.ASCII.GetBytes(new string('[', 1_000_000)), ct);
                break;
            case HostileAnswer.SlowDrip:
                await res.Body.WriteAsync("["u8.ToArray(), ct);
                await res.Body.FlushAsync(ct);
                while (!ct.IsCancellationRequested)
                {
                    await Task.Delay(1000, ct);
                    await res.Body.WriteAsync(" "u8.ToArray(), ct);
                    await res.Body.FlushAsync(ct);
                }

                break;
            case HostileAnswer.UnreadableItems:
                // A whole list, with the page links Canvas always sends (without them the list would be an error of its own).
                var only = $"<{BaseUrl}{http.Request.Path}?page=1&per_page=100>";
                res.Headers["Link"] = $"{only}; rel=\"current\",{only}; rel=\"first\",{only}; rel=\"last\"";
                await res.WriteAsync("""[{"name":"no id"},{"id":{"nested":1},"name":"an object for an id"}]""", ct);
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
