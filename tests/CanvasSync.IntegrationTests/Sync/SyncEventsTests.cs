using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Sandbox.World;
using Microsoft.Extensions.DependencyInjection;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>The in-process stream of a run's events, as the API will serve it over server-sent events.</summary>
[Collection(SecondPostgresCollection.Name)]
public sealed class SyncEventsTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_run_streams_numbered_progress_milestones_courses_and_one_final_event(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres,
            new SandboxOptions { Profile = SandboxProfile.Student, LatencyMs = 5 });
        var token = h.Sandbox.Tokens.Student;
        var events = h.Services.GetRequiredService<SyncEvents>();

        var first = await SyncWhileListeningAsync(h, events, token);
        Assert.Equal(Enumerable.Range(1, first.Count).Select(i => (long)i), first.Select(e => e.Id)); // numbered, no gaps
        Assert.Equal("completed", first[^1].Kind);
        Assert.Single(first, e => e.IsFinal);
        Assert.Equal(100, first[^1].Progress.Percent);
        var percents = first.Select(e => e.Progress.Percent).ToList();
        Assert.Equal(percents.Order(), percents); // never goes back
        Assert.Equal([25, 50, 75], first.Where(e => e.Kind == "milestone").Select(e => e.Milestone!.Value));
        var started = first.Where(e => e.Kind == "course_started").Select(e => e.CourseId).ToList();
        Assert.NotEmpty(started);
        Assert.Equal(started.Order(), first.Where(e => e.Kind == "course_done").Select(e => e.CourseId).Order());
        foreach (var course in started)
            Assert.True(first.FindIndex(e => e.Kind == "course_started" && e.CourseId == course) < first.FindIndex(e =>
                e.Kind == "course_done" && e.CourseId == course));

        // The next full sync of the connection estimates its total from this one, and so has an ETA.
        var second = await SyncWhileListeningAsync(h, events, token);
        var progress = second.Where(e => e.Kind == "progress").Select(e => e.Progress).ToList();
        Assert.All(progress, p => Assert.Equal(first[^1].Progress.ItemsDone, p.EstimatedTotal));
        Assert.Contains(progress, p => p.EtaSeconds is > 0);

        // A listener that comes back with the last id it saw gets exactly what followed, from the run's history.
        var runId = second[0].RunId;
        var resumed = new List<SyncEvent>();
        await foreach (var e in events.ReadAsync(runId, afterId: 5)) resumed.Add(e);
        Assert.Equal(second.Skip(5).Select(e => e.Id), resumed.Select(e => e.Id));
    }

    private static async Task<List<SyncEvent>> SyncWhileListeningAsync(SyncHarness h, SyncEvents events, string token)
    {
        var (runId, _) = await h.Queue.QueueAsync(h.ConnectionId, new SyncRequest(SyncType.Full, new SyncScope()), CancellationToken.None);
        var received = new List<SyncEvent>();
        var listening = Task.Run(async () =>
        {
            await foreach (var e in events.ReadAsync(runId, afterId: 0)) received.Add(e);
        });
        var result = await h.SyncAsync(token);
        Assert.Equal(runId, result.RunId);
        await listening.WaitAsync(TimeSpan.FromMinutes(1));
        return received;
    }
}
