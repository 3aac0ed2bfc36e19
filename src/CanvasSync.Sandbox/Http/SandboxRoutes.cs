using Microsoft.AspNetCore.Routing;

namespace CanvasSync.Sandbox.Http;

/// <summary>
/// The sandbox's Canvas routes. One table serves both the HTTP server and the in-process reference crawler that
/// computes the truth, so the two can never disagree. Templates use {name} segments; a ".json" suffix is accepted.
/// </summary>
internal sealed class SandboxRoutes
{
    private readonly List<(string Template, string[] Segments, CanvasHandler Handler)> _routes = [];

    public void Get(string template, CanvasHandler handler) =>
        _routes.Add((template, template.Trim('/').Split('/'), handler));

    public bool TryMatch(string path, out string template, out CanvasHandler? handler, out RouteValueDictionary values)
    {
        if (path.EndsWith(".json", StringComparison.Ordinal)) path = path[..^5];
        var segments = path.Trim('/').Split('/');
        foreach (var route in _routes)
        {
            if (route.Segments.Length != segments.Length) continue;
            var matched = new RouteValueDictionary();
            var ok = true;
            for (var i = 0; i < segments.Length && ok; i++)
            {
                var t = route.Segments[i];
                if (t.StartsWith('{')) matched[t[1..^1]] = Uri.UnescapeDataString(segments[i]);
                else ok = string.Equals(t, segments[i], StringComparison.Ordinal);
            }

            if (!ok) continue;
            (template, handler, values) = (route.Template, route.Handler, matched);
            return true;
        }

        (template, handler, values) = ("unmatched", null, []);
        return false;
    }
}
