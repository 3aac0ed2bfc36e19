using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.WebEncoders;

namespace CanvasSync.Pages;

/// <summary>
/// The web dashboard: server-rendered Razor Pages on the API's own server, signed in with a cookie session
/// (<c>/login</c>), and one stylesheet and one script embedded in this assembly, served at <c>/assets</c>.
/// </summary>
internal static class Dashboard
{
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        // The pages compile into this library; the host (the CLI, a test) is not where they live.
        services.AddRazorPages().AddApplicationPart(typeof(Dashboard).Assembly);
        // Canvas names are in every script: write them as themselves, not as &#x...; entities (markup is still escaped).
        services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        return services;
    }

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        // Pages are rate-limited like the API: sign-in by address, the rest per user.
        app.MapRazorPages().RequireRateLimiting("per-user");
        app.MapGet("/assets/{name}", (string name, HttpContext http) =>
        {
            if (Asset.Find(name) is not { } asset) return Results.NotFound();
            http.Response.Headers.CacheControl = "no-cache"; // revalidated by ETag: a new release is seen at once
            return Results.Bytes(asset.Bytes, asset.ContentType,
                entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue(asset.ETag));
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>An embedded stylesheet or script (Pages/Assets), read once.</summary>
    internal sealed record Asset(byte[] Bytes, string ContentType, string ETag)
    {
        private static readonly ConcurrentDictionary<string, Asset?> Cache = new(StringComparer.Ordinal);

        public static Asset? Find(string name) => Cache.GetOrAdd(name, static n =>
        {
            var type = Path.GetExtension(n) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                _ => null
            };
            using var stream = type is null ? null : typeof(Dashboard).Assembly.GetManifestResourceStream("dashboard/" + n);
            if (stream is null) return null;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            return new Asset(bytes, type!, $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16]}\"");
        });
    }
}
