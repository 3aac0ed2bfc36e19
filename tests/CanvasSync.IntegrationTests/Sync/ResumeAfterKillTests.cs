using System.Diagnostics;
using System.Text.Json;
using CanvasSync.Data;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>kill -9 of the real canvas-sync process at random moments; each restart resumes the same run.</summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class ResumeAfterKillTests(PostgresServer postgres)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Ten_kill_9s_each_followed_by_a_resume_end_equal_to_the_truth_without_duplicates(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres,
            new SandboxOptions { Profile = SandboxProfile.Instructor, LatencyMs = 30, CostMs = 30 });
        var token = h.Sandbox.Tokens.Teacher;
        var db = h.Database.Target.Provider == DatabaseProvider.Sqlite
            ? "sqlite:" + new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(h.Database.Target.ConnectionString).DataSource
            : h.Database.Target.ConnectionString;
        string[] args = ["sync", "--canvas-url", h.Sandbox.BaseUrl, "--db", db, "--json"];
        var random = new Random(7);
        var killed = 0;
        var ended = new List<int>(); // exit codes of rounds that ended before their kill, for the failure message

        for (var round = 0; round < 10; round++)
        {
            using var process = StartDrained(args, token);
            // Killed at a random moment after the run has started (start-up time varies with the machine's load;
            // a kill before the run exists would test nothing).
            await Task.WhenAny(process.WaitForExitAsync(),
                RunningThenAsync(h, process.Id, TimeSpan.FromMilliseconds(random.Next(0, 1700))));
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true); // SIGKILL: no cleanup, no finally blocks
                killed++;
                await process.WaitForExitAsync();
            }
            else ended.Add(process.ExitCode);
        }

        using (var final = Start(args, token))
        {
            // Both streams drained at once (a full stderr pipe would block the child), and a hang fails instead of stalling CI.
            var output = final.StandardOutput.ReadToEndAsync();
            var errors = final.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            try
            {
                await final.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                final.Kill(entireProcessTree: true);
                Assert.Fail("the resumed sync did not finish within 3 minutes");
            }

            Assert.True(final.ExitCode == 0, await output + await errors);
            using var summary = JsonDocument.Parse(await output);
            Assert.Equal("completed", summary.RootElement.GetProperty("status").GetString());
        }

        Assert.True(killed >= 5, $"only {killed} of 10 rounds were killed mid-run; the others exited with {string.Join(", ", ended)}");
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
        await using var context = h.Database.Context();
        var runs = await context.SyncRuns.AsNoTracking().ToListAsync();
        // Every restart resumed the one run (a kill before it was created leaves nothing to resume).
        var run = Assert.Single(runs);
        Assert.Equal(SyncStatus.Completed, run.Status);
        Assert.True(run.Resumed);
        Assert.Equal(await context.Submissions.Select(s => s.CanvasId).Distinct().CountAsync(), await context.Submissions.CountAsync());
    }

    /// <summary>Waits until the child owns the run (it has started or resumed it), then a little more.</summary>
    private static async Task RunningThenAsync(SyncHarness h, int pid, TimeSpan delay)
    {
        var owner = $"{Environment.MachineName}:{pid}";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            await using (var db = h.Database.Context())
                if (await db.SyncRuns.AnyAsync(r => r.Status == SyncStatus.Running && r.LeaseOwner == owner)) break;
            await Task.Delay(25);
        }

        await Task.Delay(delay);
    }

    private static Process Start(string[] args, string token)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "canvas-sync.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        // The token goes by environment, not argv, so it is not visible in the process list.
        info.Environment["CANVASSYNC_CANVAS_TOKEN"] = token;
        info.Environment.Remove("CANVASSYNC_DB");
        return Process.Start(info)!;
    }

    /// <summary>A round's child: its output is read and dropped, so it never blocks on a full pipe before it is killed.</summary>
    private static Process StartDrained(string[] args, string token)
    {
        var process = Start(args, token);
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        return process;
    }
}
