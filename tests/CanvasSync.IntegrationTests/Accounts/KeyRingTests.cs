using System.Diagnostics;
using System.Reflection;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Security;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CanvasSync.IntegrationTests.Infrastructure.ServiceHarness;

namespace CanvasSync.IntegrationTests.Accounts;

/// <summary>Token encryption over its life: rotation re-encrypts every token; a lost master key leaves nothing readable.</summary>
[Collection(PostgresCollection.Name)]
public sealed class KeyRingTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_rotated_key_still_decrypts_every_token_and_new_ciphertexts_use_the_new_key(string provider)
    {
        await using var h = await StartAsync(provider, postgres);
        var alice = await h.AddUserAsync("alice");
        var bob = await h.AddUserAsync("bob");
        (await h.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        (await h.ConnectCanvasAsync(bob, token: h.Sandbox.Tokens.Teacher)).EnsureSuccessStatusCode();
        var before = await CiphertextsAsync(h);

        var result = await h.App.Services.GetRequiredService<KeyRing>().RotateAsync(dropUnreadable: false, CancellationToken.None);
        Assert.Equal((2, 0), (result.Reprotected, result.Unreadable));

        var after = await CiphertextsAsync(h);
        foreach (var (id, ciphertext) in after)
        {
            Assert.NotEqual(before[id], ciphertext);
            Assert.Equal(result.NewKeyId, TokenVault.KeyIdOf(ciphertext));
            Assert.NotEqual(result.NewKeyId, TokenVault.KeyIdOf(before[id]));
        }

        var tokens = h.App.Services.GetRequiredService<ConnectionTokens>();
        var decrypted = await Task.WhenAll(after.Keys.Order().Select(id => tokens.GetAsync(id, CancellationToken.None)));
        Assert.Equal(new[] { h.Sandbox.Tokens.Student, h.Sandbox.Tokens.Teacher }, decrypted.Select(t => t!));
        // The key ring in the database is ciphertext too: no key material in the clear.
        await using var db = h.Database.Context();
        Assert.All(await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync(), xml =>
        {
            Assert.Contains("encryptedWithMasterKey", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        });
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_wrong_or_damaged_master_key_stops_start_up_and_changes_nothing_and_the_right_one_mends_it(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        var keyFile = Path.Combine(Path.GetTempPath(), $"canvassync-master-{Guid.NewGuid():N}.key");
        long userId;
        string aliceKey, feed;
        await using (var first = await StartAsync(provider, postgres, database: database, masterKeyFile: keyFile, sandbox: sandbox))
        {
            var alice = await first.AddUserAsync("alice");
            (userId, aliceKey) = (alice.UserId, alice.ApiKey);
            (await first.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
            feed = await FeedTokenAsync(alice.Http);
        }

        var before = await SnapshotAsync(database, userId);

        // The file is gone while the database holds keys: start-up stops and says what to do.
        var missing = await Assert.ThrowsAsync<MasterKeyException>(() =>
            StartAsync(provider, postgres, database: database, masterKeyFile: keyFile + ".missing", sandbox: sandbox));
        Assert.Contains("keys new-master", missing.Message, StringComparison.Ordinal);

        // Another master key in its place, or a damaged file: one line, and nothing in the database changed.
        MasterKey.Create(keyFile + ".other");
        var other = await Assert.ThrowsAsync<MasterKeyException>(() =>
            StartAsync(provider, postgres, database: database, masterKeyFile: keyFile + ".other", sandbox: sandbox));
        Assert.Contains("cannot open any of the", other.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', other.Message);
        await File.WriteAllTextAsync(keyFile + ".damaged", "not a key");
        var damaged = await Assert.ThrowsAsync<MasterKeyException>(() =>
            StartAsync(provider, postgres, database: database, masterKeyFile: keyFile + ".damaged", sandbox: sandbox));
        Assert.Contains("is not a CanvasSync master key", damaged.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(database, userId));

        // A deployment that ran with a wrong key before this check existed left the connection needs_reauth (unreadable):
        // with the right key back, start-up finds the token readable and gives the connection back.
        await using (var db = database.Context())
            await db.Connections.Where(c => c.UserId == userId).ExecuteUpdateAsync(x => x
                .SetProperty(c => c.Status, ConnectionStatus.NeedsReauth)
                    .SetProperty(c => c.LastErrorCode, ConnectionTokens.UnreadableCode));
        await using (var again = await StartAsync(provider, postgres, database: database, masterKeyFile: keyFile, sandbox: sandbox))
        {
            await using (var db = database.Context())
            {
                var c = await db.Connections.SingleAsync(x => x.UserId == userId);
                Assert.Equal((ConnectionStatus.Ok, (string?)null), (c.Status, c.LastErrorCode));
            }

            Assert.Equal(SyncStatus.Completed, (await again.SyncStoredAsync(userId))!.Status);
            Assert.Equal(feed, await FeedTokenAsync(again.Client(aliceKey)));
        }

        // Lost for good: `keys new-master` starts again, the next start opens the ring with the new key, and the
        // connection waits for its owner to connect again.
        var made = await RunCliAsync("keys", "new-master", "--db", database.Setting, "--master-key", keyFile + ".new");
        Assert.True(made.ExitCode == 0, made.Output);
        await using (var fresh =
            await StartAsync(provider, postgres, database: database, masterKeyFile: keyFile + ".new", sandbox: sandbox))
        await using (var db = database.Context())
        {
            var c = await db.Connections.SingleAsync(x => x.UserId == userId);
            Assert.Equal((ConnectionStatus.NeedsReauth, ConnectionTokens.UnreadableCode, (string?)null),
                (c.Status, c.LastErrorCode, c.EncryptedToken));
        }

        foreach (var f in new[] { keyFile, keyFile + ".other", keyFile + ".damaged", keyFile + ".new" }) File.Delete(f);
    }

    /// <summary>
    /// `keys rotate` runs in its own process while nodes serve: each node meets ciphertexts made with a key it has not
    /// loaded, reloads its key ring, and every connection keeps working. On PostgreSQL with two nodes.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Keys_rotated_while_nodes_serve_break_no_connection(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        var keyFile = Path.Combine(Path.GetTempPath(), $"canvassync-master-{Guid.NewGuid():N}.key");
        // Two nodes in one process: named apart, as two machines would be (a shared host:pid would make each take the
        // other's running sync for its own dead one).
        await using var a = await StartAsync(provider, postgres, ["--Node:Name=node-a"], database: database, masterKeyFile: keyFile,
            sandbox: sandbox);
        await using var b = provider == "postgres"
            ? await StartAsync(provider, postgres, ["--Node:Name=node-b"], database: database, masterKeyFile: keyFile, sandbox: sandbox)
            : a;
        var alice = await a.AddUserAsync("alice");
        var bob = await a.AddUserAsync("bob");
        (await a.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        (await b.ConnectCanvasAsync(new Caller(bob.UserId, bob.ApiKey, b.Client(bob.ApiKey)),
            token: sandbox.Tokens.Teacher)).EnsureSuccessStatusCode();
        var feed = await FeedTokenAsync(alice.Http);
        // Both nodes have read the key ring (and cached it) before the rotation.
        Assert.Equal(SyncStatus.Completed, await SyncedAsync(a, alice.UserId));
        Assert.Equal(SyncStatus.Completed, await SyncedAsync(b, bob.UserId));

        // Data Protection reloads on an unknown key by itself in a process's first 2 minutes: these nodes are to behave
        // as nodes up for hours, where a rotation used to turn every connection needs_reauth.
        foreach (var node in new[] { a, b }) AsIfUpForHours(node);

        var rotated = await RunCliAsync("keys", "rotate", "--db", database.Setting, "--master-key", keyFile);
        Assert.True(rotated.ExitCode == 0, rotated.Output);
        Assert.Contains("2 tokens re-encrypted", rotated.Output, StringComparison.Ordinal);

        // Each node syncs the other's user: both read tokens encrypted with the key neither had loaded.
        Assert.Equal(SyncStatus.Completed, await SyncedAsync(b, alice.UserId));
        Assert.Equal(SyncStatus.Completed, await SyncedAsync(a, bob.UserId));
        await using (var db = database.Context())
            Assert.All(await db.Connections.ToListAsync(), c =>
                Assert.Equal((ConnectionStatus.Ok, (string?)null), (c.Status, c.LastErrorCode)));
        // The calendar URL is the same one (not made anew because its ciphertext looked unreadable).
        Assert.Equal(feed, await FeedTokenAsync(b.Client(alice.ApiKey)));
        File.Delete(keyFile);
    }

    /// <summary>Ends Data Protection's start-up window in which it reloads the key ring for any unknown key (internal, so by
    /// reflection).</summary>
    private static void AsIfUpForHours(ServiceHarness node)
    {
        var provider = node.App.Services.GetRequiredService<IKeyRingProvider>();
        var window = provider.GetType().GetProperty("AutoRefreshWindowEnd", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("Data Protection's KeyRingProvider has no AutoRefreshWindowEnd any more; see what replaced it");
        window.SetValue(provider, DateTime.UtcNow);
    }

    /// <summary>The secret in the user's calendar feed URL (the URL's host is the node's).</summary>
    private static async Task<string> FeedTokenAsync(HttpClient http) =>
        new Uri((await JsonOf(await http.GetAsync("/api/v1/calendar"))).GetProperty("ics_url").GetString()!).Query;

    /// <summary>
    /// A sync on this node with the stored token, once no other run of the connection is under way (connecting queues
    /// a first sync that either node may be running). Null status: the token could not be read.
    /// </summary>
    private static async Task<SyncStatus?> SyncedAsync(ServiceHarness node, long userId)
    {
        for (var tries = 0; ; tries++)
        {
            try
            {
                var result = await node.SyncStoredAsync(userId);
                if (result?.Status != SyncStatus.Running || tries == 300) return result?.Status;
            }
            catch (SyncAlreadyRunningException) when (tries < 300)
            {
                // The other node's run of this connection: wait for it.
            }

            await Task.Delay(200);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunCliAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "canvas-sync.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment.Remove("CANVASSYNC_DB");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Everything a wrong key could have changed: the key ring, the connection's state and token, the calendar feed.</summary>
    private static async Task<string> SnapshotAsync(TestDatabase database, long userId)
    {
        await using var db = database.Context();
        var keys = await db.DataProtectionKeys.OrderBy(k => k.Id).Select(k => k.Xml).ToListAsync();
        var c = await db.Connections.SingleAsync(x => x.UserId == userId);
        var feeds = await db.CalendarFeeds.Where(f => f.UserId == userId).Select(f => f.EncryptedToken).ToListAsync();
        return string.Join("|", keys) + $"|{c.Status}|{c.LastErrorCode}|{c.EncryptedToken}|" + string.Join("|", feeds);
    }

    private static async Task<Dictionary<long, string>> CiphertextsAsync(ServiceHarness h)
    {
        await using var db = h.Database.Context();
        return await db.Connections.ToDictionaryAsync(c => c.Id, c => c.EncryptedToken!);
    }
}
