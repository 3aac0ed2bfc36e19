using System.Security.Claims;
using CanvasSync.Data;
using CanvasSync.Features.Connections;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CanvasSync.Features.Export;

/// <summary>GET /api/v1/export/tasks.csv and grades.csv: the caller's own, as a download.</summary>
internal static class ExportEndpoints
{
    public static RouteGroupBuilder MapExports(this IEndpointRouteBuilder app)
    {
        var export = app.MapApiGroup("/api/v1/export", "Exports");
        export.MapGet("/{table}.csv", CsvAsync).Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return export;
    }

    private static async Task CsvAsync(string table, ClaimsPrincipal caller, CanvasSyncDbContext db, HttpContext http, CancellationToken ct)
    {
        if (!CsvExports.Tables.Contains(table))
        {
            await Problems.WriteAsync(http, StatusCodes.Status404NotFound,
                "Not Found", $"no export {table}.csv: there are {string.Join(".csv and ", CsvExports.Tables)}.csv");
            return;
        }

        if (await CallerConnection.ForReadsAsync(db, caller, ct) is not { } me)
        {
            await CallerConnection.NotConnected().ExecuteAsync(http);
            return;
        }

        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"canvas-{table}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false), bufferSize: -1, leaveOpen: true);
        await CsvExports.WriteAsync(table, db, me, writer, ct);
    }
}
