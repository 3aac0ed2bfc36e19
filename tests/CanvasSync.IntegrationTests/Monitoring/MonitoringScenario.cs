using System.Net.Http.Json;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;

namespace CanvasSync.IntegrationTests.Monitoring;

/// <summary>
/// Real sandbox syncs of three users, each ending differently: alice's full sync and delta complete, bob's fails (every
/// Canvas answer a 5xx), carol's finds her token revoked (needs_reauth). An admin watches.
/// </summary>
internal sealed record MonitoringScenario(ServiceHarness Service, Caller Alice, Caller Bob, Caller Carol, Caller Admin,
    SyncResult AliceFull, SyncResult AliceDelta, SyncResult BobFailed, SyncResult CarolReauth)
{
    /// <summary>One retry per request, so the failing run gives up in a second rather than after a minute of backoff.</summary>
    public static readonly string[] FastFailure =
        ["--Canvas:RetryAttempts=1", "--Sync:SchedulerEnabled=false", "--Sync:JobRetryAttempts=0"];

    public static async Task<MonitoringScenario> RunAsync(ServiceHarness h)
    {
        var alice = await h.AddUserAsync("alice");
        var bob = await h.AddUserAsync("bob");
        var carol = await h.AddUserAsync("carol");
        var admin = await h.AddUserAsync("root", admin: true);
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        (await h.ConnectCanvasAsync(bob, token: h.Sandbox.Tokens.Teacher)).EnsureSuccessStatusCode();
        (await h.ConnectCanvasAsync(carol, token: h.Sandbox.Tokens.Admin)).EnsureSuccessStatusCode();

        var aliceFull = (await h.SyncStoredAsync(alice.UserId))!;
        var aliceDelta = (await h.SyncStoredAsync(alice.UserId, SyncType.Delta))!;

        h.Sandbox.Settings.FaultKinds = [FaultKind.Internal500, FaultKind.BadGateway502];
        h.Sandbox.Settings.FaultRate = 1.0;
        SyncResult bobFailed;
        try
        {
            bobFailed = (await h.SyncStoredAsync(bob.UserId))!;
        }
        finally
        {
            h.Sandbox.Settings.FaultRate = 0;
        }

        using (var control = new HttpClient())
            (await control.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/tokens/revoke",
                new { token = h.Sandbox.Tokens.Admin })).EnsureSuccessStatusCode();
        var carolReauth = (await h.SyncStoredAsync(carol.UserId))!;

        Assert.Equal(SyncStatus.Completed, aliceFull.Status);
        Assert.Equal(SyncStatus.Completed, aliceDelta.Status);
        Assert.Equal(SyncStatus.Failed, bobFailed.Status);
        Assert.Equal(SyncStatus.NeedsReauth, carolReauth.Status);
        return new MonitoringScenario(h, alice, bob, carol, admin, aliceFull, aliceDelta, bobFailed, carolReauth);
    }
}
