using System.CommandLine;
using CanvasSync.Cli.Common;
using CanvasSync.Data;
using CanvasSync.Features.Export;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Cli.Export;

/// <summary>
/// `canvas-sync export`: the mirror as one JSON object (Canvas's field names, deleted rows left out unless asked), or
/// with --format csv the tasks or the grades as CSV.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var connection = new Option<long?>("--connection") { Description = "Connection id (default: the only one)" };
        var format = new Option<string>("--format")
        {
            Description = "json (the mirror) or csv (--table tasks or grades)",
            DefaultValueFactory = _ => "json"
        };
        format.AcceptOnlyFromAmong("json", "csv");
        var table = new Option<string?>("--table") { Description = "With --format csv: tasks or grades" };
        table.AcceptOnlyFromAmong(CsvExports.Tables);
        var output = new Option<FileInfo?>("--out") { Description = "Write here instead of stdout" };
        var deleted = new Option<bool>("--include-deleted") { Description = "Also rows Canvas no longer lists (marked canvas_sync_deleted_at)" };
        var command = new Command("export", "Export the mirror as JSON, or tasks or grades as CSV") { db, connection, format, table, output,
            deleted };
        command.SetAction(async (p, ct) =>
        {
            var csv = p.GetValue(format) == "csv";
            if (csv && p.GetValue(table) is null) throw new FormatException("--format csv needs --table tasks or --table grades");
            if (!csv && p.GetValue(table) is not null) throw new FormatException("--table goes with --format csv");
            using var host = await CliServices.StartAsync(p.GetValue(db), ct, existingDatabase: true);
            await using (var context = await host.Services.GetRequiredService<IDbContextFactory<CanvasSyncDbContext>>()
                .CreateDbContextAsync(ct))
            {
                var me = await ChosenConnection.FindAsync(context, p.GetValue(connection), ct);
                var file = p.GetValue(output);
                await using var stream = file is null ? Console.OpenStandardOutput() : file.Create();
                if (!csv)
                {
                    await MirrorExporter.ExportAsync(context, me.Id, p.GetValue(deleted), stream, ct);
                }
                else
                {
                    await using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false));
                    await CsvExports.WriteAsync(p.GetValue(table)!, context, me, writer, ct);
                }
            }

            return 0;
        });
        return command;
    }
}
