using System.Text.Json;
using CanvasSync.Features.Export;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;

namespace CanvasSync.IntegrationTests.Sync;

[Collection(SecondPostgresCollection.Name)]
public sealed class ExportTests(PostgresServer postgres)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_export_is_the_mirror_as_canvas_served_it_and_deleted_rows_only_when_asked(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions { Profile = SandboxProfile.Student });
        var token = h.Sandbox.Tokens.Student;
        await h.SyncAsync(token);
        var deleted = (await h.TruthAsync(token)).GetProperty("assignments")[0].GetProperty("id").GetInt64();
        (await h.Http.DeleteAsync($"{h.Sandbox.BaseUrl}/_sandbox/assignments/{deleted}")).EnsureSuccessStatusCode();
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(token, SyncType.Delta)).Status);
        var truth = await h.TruthAsync(token);

        using var export = await ExportAsync(h, includeDeleted: false);
        foreach (var collection in SyncHarness.Collections)
        {
            var expected = SyncHarness.Truth(truth, collection).Values.ToHashSet();
            Assert.Equal(expected, export.RootElement.GetProperty(collection).EnumerateArray().Select(i => i.GetRawText()).ToHashSet());
        }

        var exported = export.RootElement.GetProperty("tasks").EnumerateArray().ToList();
        Assert.Equal(truth.GetProperty("assignments").GetArrayLength(),
            exported.Count(t => t.GetProperty("external_source").GetString() == "canvas"));
        Assert.All(exported, t => Assert.Matches("^(canvas|planner:[a-z_]+)$", t.GetProperty("external_source").GetString()!));

        using var withDeleted = await ExportAsync(h, includeDeleted: true);
        var gone = withDeleted.RootElement.GetProperty("assignments").EnumerateArray()
            .Single(a => a.GetProperty("id").GetInt64() == deleted);
        Assert.True(gone.TryGetProperty("canvas_sync_deleted_at", out _));
        Assert.DoesNotContain(export.RootElement.GetProperty("assignments").EnumerateArray(), a =>
            a.GetProperty("id").GetInt64() == deleted);
    }

    private static async Task<JsonDocument> ExportAsync(SyncHarness h, bool includeDeleted)
    {
        using var stream = new MemoryStream();
        await using var db = h.Database.Context();
        await MirrorExporter.ExportAsync(db, h.ConnectionId, includeDeleted, stream, CancellationToken.None);
        return JsonDocument.Parse(stream.ToArray());
    }
}
