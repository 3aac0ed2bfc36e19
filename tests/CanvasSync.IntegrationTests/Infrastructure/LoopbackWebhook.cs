using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CanvasSync.IntegrationTests.Infrastructure;

/// <summary>An HTTP receiver on loopback standing in for Slack's incoming webhooks: it keeps every JSON body posted to it.</summary>
public sealed class LoopbackWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackWebhook(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Path, JsonElement Body)> Received { get; } = new();

    /// <summary>The URL to configure, with a path that stands for the secret part of a real webhook URL.</summary>
    public string Url => _app.Urls.First() + "/services/T0001/B0001/" + Secret;

    public string Secret { get; } = "hook-" + Guid.NewGuid().ToString("N");

    public static async Task<LoopbackWebhook> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var hook = new LoopbackWebhook(app);
        app.MapPost("/services/{**path}", async (HttpRequest request, string path) =>
        {
            hook.Received.Enqueue((path, (await JsonDocument.ParseAsync(request.Body)).RootElement.Clone()));
            return Results.Text("ok");
        });
        await app.StartAsync();
        return hook;
    }

    public async Task<List<JsonElement>> WaitForAsync(int count)
    {
        await Arrivals.WaitForAsync(() => Received.Count, count, "webhook post(s)");
        return Received.Select(r => r.Body).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
