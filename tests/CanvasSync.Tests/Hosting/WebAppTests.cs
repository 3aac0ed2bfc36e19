using System.Net;
using CanvasSync.Hosting;
using CanvasSync.Sandbox.Tests.Infrastructure;
using CanvasSync.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace CanvasSync.Tests.Hosting;

/// <summary>The web app over real HTTP: it migrates its database at start and answers health checks.</summary>
public sealed class WebAppTests
{
    [Fact]
    public async Task Serve_migrates_sqlite_and_answers_live_and_ready()
    {
        var file = Path.Combine(Path.GetTempPath(), $"cs-{Guid.NewGuid():N}.db");
        await using (var app = CanvasSyncWebApp.Build([MasterKeyBeside(file)], "sqlite:" + file, "http://127.0.0.1:0"))
        {
            await app.PrepareAsync();
            await app.StartAsync();
            using var http = new HttpClient();
            var url = app.Urls.First();
            using var live = await http.GetAsync(url + "/health/live", token: null);
            using var ready = await http.GetAsync(url + "/health/ready", token: null);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
            await app.StopAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.True(new FileInfo(file).Length > 0);
        Assert.True(File.Exists(file + ".key")); // the master key, made on first start
        foreach (var f in new[] { file, file + "-wal", file + "-shm", file + ".key" }) File.Delete(f);
    }

    [Fact]
    public async Task Unknown_paths_answer_problem_details_without_saying_whether_they_exist()
    {
        var file = Path.Combine(Path.GetTempPath(), $"cs-{Guid.NewGuid():N}.db");
        await using var app = CanvasSyncWebApp.Build([MasterKeyBeside(file)], "sqlite:" + file, "http://127.0.0.1:0");
        await app.PrepareAsync();
        await app.StartAsync();
        using var http = new HttpClient();
        using var r = await http.GetAsync(app.Urls.First() + "/api/v1/nothing-here", token: null);
        // Without an API key every path but health and login is a 401, so a stranger learns nothing of the routes.
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_bad_option_fails_preparation_naming_the_setting()
    {
        await using var app = CanvasSyncWebApp.Build(["--Canvas:RequestTimeoutSeconds=0"],
            "sqlite:" + Path.Combine(Path.GetTempPath(), "unused.db"), "http://127.0.0.1:0");
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.PrepareAsync());
        Assert.Contains("RequestTimeoutSeconds", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Keeps the master key the app creates on first start in the temp folder, beside the test's database.</summary>
    private static string MasterKeyBeside(string databaseFile) => $"--Security:MasterKeyFile={databaseFile}.key";
}
