using System.Security.Claims;
using System.Text.Encodings.Web;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.Dashboard;

/// <summary>
/// The signed-in home page: who you are and the state of your Canvas connection, with sign-out. A plain
/// server-rendered page until the dashboard issue grows it; signed-out visitors are sent to /login.
/// </summary>
public static class HomePage
{
    public static IEndpointRouteBuilder MapHome(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", async (ClaimsPrincipal caller, HttpContext http, IAntiforgery antiforgery, CanvasSyncDbContext db, TimeProvider time) =>
        {
            var c = await Connections.CallerConnection.FindAsync(db, caller, http.RequestAborted);
            var html = HtmlEncoder.Default;
            var tokens = antiforgery.GetAndStoreTokens(http);
            var connection = c is null ? "<p>No Canvas connected yet: <code>POST /api/v1/canvas/connect</code>.</p>"
                : $"<p>Canvas: {html.Encode(c.BaseUrl)} as {html.Encode(c.CanvasUserName)}, status <strong>{html.Encode(SnakeCase.From(c.Status.ToString()))}</strong>.</p>";
            foreach (var warning in c is null ? [] : Connections.ConnectionEndpoints.Warnings(c, time.GetUtcNow().UtcDateTime))
                connection += $"<p role=\"alert\">{html.Encode(warning.Message)}</p>";
            return Results.Content($"""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>CanvasSync</title></head>
                <body>
                <main>
                  <h1>CanvasSync</h1>
                  <p>Signed in as {html.Encode(caller.Identity?.Name ?? "")}.</p>
                  {connection}
                  <form method="post" action="/logout">
                    <input type="hidden" name="{html.Encode(tokens.FormFieldName)}" value="{html.Encode(tokens.RequestToken ?? "")}">
                    <button type="submit">Sign out</button>
                  </form>
                </main>
                </body></html>
                """, "text/html; charset=utf-8");
        });
        return app;
    }
}
