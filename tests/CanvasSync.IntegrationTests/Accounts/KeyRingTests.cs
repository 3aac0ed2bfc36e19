using CanvasSync.Features.Connections;
using CanvasSync.IntegrationTests.Infrastructure;
using CanvasSync.Sandbox;
using CanvasSync.Security;
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
    public async Task Without_the_right_master_key_tokens_are_unreadable_and_connections_need_reauth(string provider)
    {
        var database = await TestDatabase.CreateAsync(provider, postgres);
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        var keyFile = Path.Combine(Path.GetTempPath(), $"canvassync-master-{Guid.NewGuid():N}.key");
        long userId;
        await using (var first = await StartAsync(provider, postgres, database: database, masterKeyFile: keyFile, sandbox: sandbox))
        {
            var alice = await first.AddUserAsync("alice");
            userId = alice.UserId;
            (await first.ConnectCanvasAsync(alice)).EnsureSuccessStatusCode();
        }

        // The file is gone while the database holds keys: start-up stops and says what to do.
        var missing = await Assert.ThrowsAsync<MasterKeyException>(() => StartAsync(provider, postgres, database: database, masterKeyFile: keyFile + ".missing", sandbox: sandbox));
        Assert.Contains("keys new-master", missing.Message, StringComparison.Ordinal);

        // Another master key in its place: nothing can be read, and the connection says so.
        MasterKey.Create(keyFile + ".other");
        await using var second = await StartAsync(provider, postgres, database: database, masterKeyFile: keyFile + ".other", sandbox: sandbox);
        await using (var db = second.Database.Context())
        {
            var c = await db.Connections.SingleAsync(x => x.UserId == userId);
            Assert.Equal(ConnectionStatus.NeedsReauth, c.Status);
            Assert.Equal(ConnectionTokens.UnreadableCode, c.LastErrorCode);
        }

        Assert.Null(await second.SyncStoredAsync(userId));
        foreach (var f in new[] { keyFile, keyFile + ".other" }) File.Delete(f);
        await sandbox.DisposeAsync();
        await database.DisposeAsync();
    }

    private static async Task<Dictionary<long, string>> CiphertextsAsync(ServiceHarness h)
    {
        await using var db = h.Database.Context();
        return await db.Connections.ToDictionaryAsync(c => c.Id, c => c.EncryptedToken!);
    }
}
