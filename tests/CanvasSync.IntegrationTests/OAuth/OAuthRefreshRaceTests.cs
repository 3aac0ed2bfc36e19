using System.Net;
using System.Net.Http.Headers;
using CanvasSync.Features.Connections;
using CanvasSync.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CanvasSync.IntegrationTests.Infrastructure.OAuthSteps;

namespace CanvasSync.IntegrationTests.OAuth;

/// <summary>
/// Two nodes (two CanvasSync apps sharing only the database, the master key and Canvas) meet an expired access token
/// at the same moment. Canvas voids the old token on every refresh, so two refreshes would leave one node with a dead
/// token: the database lease lets one refresh reach Canvas and hands its token to the other.
/// </summary>
[Collection(AlonePostgresCollection.Name)]
public sealed class OAuthRefreshRaceTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_nodes_racing_to_refresh_one_connection_send_one_refresh_to_Canvas(string provider)
    {
        // Two names, as two machines have: one name would make each node take the other's leases for its own.
        await using var nodeA = await ServiceHarness.StartAsync(provider, postgres, ["--Node:Name=node-a"]);
        await using var nodeB = await ServiceHarness.StartAsync(provider, postgres, ["--Node:Name=node-b"],
            database: nodeA.Database, masterKeyFile: nodeA.MasterKeyFile, sandbox: nodeA.Sandbox);
        var sandbox = nodeA.Sandbox;
        await AddSandboxInstanceAsync(nodeA);
        var alice = await nodeA.AddUserAsync("alice");
        await ConnectAsync(nodeA, alice, await CanvasUserIdAsync(sandbox, sandbox.Tokens.Student));
        long connectionId;
        await using (var db = nodeA.Database.Context()) connectionId = (await db.Connections.SingleAsync()).Id;
        sandbox.Settings.LatencyMs = 300; // a refresh takes a while, so both nodes are in it together

        for (var round = 1; round <= 3; round++)
        {
            var a = (await nodeA.App.Services.GetRequiredService<ConnectionTokens>()
                .CredentialAsync(connectionId, CancellationToken.None))!;
            var b = (await nodeB.App.Services.GetRequiredService<ConnectionTokens>()
                .CredentialAsync(connectionId, CancellationToken.None))!;
            var stale = await a.AccessTokenAsync(CancellationToken.None);
            Assert.Equal(stale, await b.AccessTokenAsync(CancellationToken.None));
            await ControlAsync(sandbox, "expire", null); // Canvas now answers "Expired access token" to both
            var before = (await GrantsAsync(sandbox)).GetProperty("refresh_requests").GetInt32();

            using var go = new SemaphoreSlim(0, 2);
            var racers = new[] { a, b }.Select(c => Task.Run(async () =>
            {
                await go.WaitAsync();
                return await c.RenewAsync(stale, CancellationToken.None);
            })).ToList();
            go.Release(2);
            Assert.All(await Task.WhenAll(racers), Assert.True);

            Assert.Equal(before + 1, (await GrantsAsync(sandbox)).GetProperty("refresh_requests").GetInt32());
            var fresh = await a.AccessTokenAsync(CancellationToken.None);
            Assert.NotEqual(stale, fresh);
            Assert.Equal(fresh, await b.AccessTokenAsync(CancellationToken.None));
            Assert.Equal(HttpStatusCode.OK, await SelfStatusAsync(sandbox.BaseUrl, fresh));
            Assert.Equal(HttpStatusCode.Unauthorized, await SelfStatusAsync(sandbox.BaseUrl, stale));
        }

        await using (var db = nodeA.Database.Context())
        {
            var c = await db.Connections.SingleAsync();
            Assert.Null(c.RefreshLeaseOwner); // every lease given back
            Assert.Equal(ConnectionStatus.Ok, c.Status);
        }

        var secrets = await SecretsAsync(sandbox);
        await nodeA.AssertNowhereAsync(secrets);
        await nodeB.AssertNowhereAsync(secrets);
    }

    private static async Task<HttpStatusCode> SelfStatusAsync(string baseUrl, string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/api/v1/users/self");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
