using System.Net.Http.Json;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.IntegrationTests.Sync;

/// <summary>
/// A delta skips who-am-I for a token this node proved lately (ProvenTokens). What must still hold: another person's
/// token never syncs into the mirror, and a dead token still ends the run as needs_reauth.
/// </summary>
[Collection(SecondPostgresCollection.Name)]
public sealed class ProvenTokenTests(PostgresServer postgres)
{
    private const string WhoAmI = "/api/v1/users/self";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_delta_with_another_token_asks_who_am_i_and_refuses_another_persons_token(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions());
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(h.Sandbox.Tokens.Student)).Status);
        await h.ResetCanvasStatsAsync();

        var delta = await h.SyncAsync(h.Sandbox.Tokens.Teacher, new SyncRequest(SyncType.Delta, new SyncScope()));

        Assert.Equal(SyncStatus.Failed, delta.Status);
        Assert.Equal(new Dictionary<string, long> { [WhoAmI] = 1 }, await h.CanvasEndpointsAsync());
        await using var db = h.Database.Context();
        Assert.Equal(DifferentCanvasUserException.Code, (await db.SyncRuns.SingleAsync(r => r.Id == delta.RunId)).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_token_revoked_since_it_was_proved_ends_the_delta_as_needs_reauth_and_is_asked_about_again(string provider)
    {
        await using var h = await SyncHarness.StartAsync(provider, postgres, new SandboxOptions());
        var token = h.Sandbox.Tokens.Student;
        Assert.Equal(SyncStatus.Completed, (await h.SyncAsync(token)).Status);
        await TokenAsync(h, "revoke", token);
        await h.ResetCanvasStatsAsync();

        var revoked = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));

        // The query met the 401, not who-am-I: the proof was fresh.
        Assert.Equal(SyncStatus.NeedsReauth, revoked.Status);
        Assert.Equal(new Dictionary<string, long> { ["/api/graphql"] = 1 }, await h.CanvasEndpointsAsync());
        await using (var db = h.Database.Context())
            Assert.Equal("token_revoked", (await db.SyncRuns.SingleAsync(r => r.Id == revoked.RunId)).ErrorCode);

        // Canvas takes it back: the proof was forgotten with the 401, so the next delta asks again.
        await TokenAsync(h, "restore", token);
        await h.ResetCanvasStatsAsync();
        var restored = await h.SyncAsync(token, new SyncRequest(SyncType.Delta, new SyncScope()));
        Assert.Equal(SyncStatus.Completed, restored.Status);
        Assert.Equal(1, (await h.CanvasEndpointsAsync())[WhoAmI]);
        await h.AssertMirrorEqualsTruthAsync(await h.TruthAsync(token));
    }

    private static async Task TokenAsync(SyncHarness h, string action, string token)
    {
        using var answer = await h.Http.PostAsJsonAsync($"{h.Sandbox.BaseUrl}/_sandbox/tokens/{action}", new { token });
        answer.EnsureSuccessStatusCode();
    }
}
