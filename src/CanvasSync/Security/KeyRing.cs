using CanvasSync.Data;
using CanvasSync.Features.Connections;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Security;

internal sealed record RotationResult(Guid NewKeyId, int Reprotected, int Unreadable);

/// <summary>The key ring's life: first start, rotation, and starting over after the master key is lost.</summary>
internal sealed class KeyRing(IKeyManager keys, MasterKeyFile masterKey, TokenVault vault, IDbContextFactory<CanvasSyncDbContext> contexts,
    TimeProvider time)
{
    /// <summary>
    /// Before first use: a missing master key file is created when the key ring is empty (a new installation). When
    /// the database holds keys already, a missing file is an operator's mistake worth stopping for, not a reason to
    /// make a new key that would leave every stored token unreadable.
    /// </summary>
    public async Task EnsureMasterKeyAsync(CancellationToken ct)
    {
        if (masterKey.Exists) return;
        await using var db = contexts.CreateDbContext();
        var stored = await db.DataProtectionKeys.CountAsync(ct);
        if (stored > 0)
            throw new MasterKeyException($"Security:MasterKeyFile {masterKey.Path} does not exist, but the database holds {stored} keys encrypted with a master key. " +
                "Point Security:MasterKeyFile at that file; if it is lost, `canvas-sync keys new-master` starts again (every user then reconnects Canvas).");
        MasterKey.Create(masterKey.Path);
    }

    /// <summary>
    /// Before anything reads or writes a secret: a master key file that exists must open the key ring the database
    /// holds. A wrong or damaged file stops the process here with one line, having changed nothing; without this,
    /// Data Protection would find no readable key, make a new one (an orphan in the ring), and every stored secret
    /// would read as lost. A ring that still holds keys of a lost master key (after `keys new-master`) is fine as long
    /// as one key opens.
    /// </summary>
    public async Task VerifyMasterKeyAsync(CancellationToken ct)
    {
        if (!masterKey.Exists) return;
        var key = masterKey.Key; // a damaged file throws here, with its path
        await using var db = contexts.CreateDbContext();
        var stored = await db.DataProtectionKeys.AsNoTracking().Where(k => k.Xml != null).Select(k => k.Xml!).ToListAsync(ct);
        if (stored.Count == 0) return;
        var sealedWith = stored.Select(MasterKeyXmlDecryptor.MasterKeyIdOf).Where(id => id is not null).Distinct().ToList();
        if (stored.Any(xml => MasterKeyXmlDecryptor.Opens(key, xml))) return;
        throw new MasterKeyException($"Security:MasterKeyFile {masterKey.Path} (master key {key.Id}) cannot open any of the {stored.Count} keys in the database, " +
            $"which were encrypted with master key {string.Join(", ", sealedWith)}. Nothing was changed. Point Security:MasterKeyFile at that file; " +
            "if it is lost, move this one away and run `canvas-sync keys new-master` (every user then reconnects Canvas).");
    }

    /// <summary>
    /// A new default key, then every stored token re-encrypted with it. Old keys stay, so nothing in flight breaks.
    /// If some tokens do not decrypt, the master key is probably the wrong file: nothing is changed unless
    /// <paramref name="dropUnreadable"/>, which gives those connections needs_reauth.
    /// </summary>
    public async Task<RotationResult> RotateAsync(bool dropUnreadable, CancellationToken ct)
    {
        _ = masterKey.Key; // a missing or broken master key file is reported before anything changes
        await using var db = contexts.CreateDbContext();
        var connections = await db.Connections.Where(c => c.EncryptedToken != null).ToListAsync(ct);
        var readable = new Dictionary<long, (string Token, string? Refresh)>();
        foreach (var c in connections)
        {
            if (!vault.TryUnprotect(c.UserId, c.EncryptedToken!, out var token)) continue;
            string? refresh = null;
            if (c.EncryptedRefreshToken is not null
                && !vault.TryUnprotect(SecretKind.CanvasRefreshToken, c.UserId, c.EncryptedRefreshToken, out refresh)) continue;
            readable[c.Id] = (token, refresh);
        }

        var instances = await db.CanvasInstances.ToListAsync(ct);
        var secrets = new Dictionary<long, string>();
        foreach (var i in instances)
            if (vault.TryUnprotect(SecretKind.OAuthClientSecret, 0, i.EncryptedClientSecret, out var secret)) secrets[i.Id] = secret;
        if (secrets.Count < instances.Count && !dropUnreadable)
            throw new MasterKeyException($"{instances.Count - secrets.Count} developer keys' client secrets cannot be decrypted with master key {masterKey.Key.Id}; " +
                "is Security:MasterKeyFile the right file? Nothing was changed (--drop-unreadable goes on; then set those secrets again with `canvas-sync instances add`)");
        var unreadable = connections.Count - readable.Count;
        if (unreadable > 0 && !dropUnreadable)
            throw new MasterKeyException($"{unreadable} of {connections.Count} stored tokens cannot be decrypted with master key {masterKey.Key.Id} ({masterKey.Path}); " +
                "is Security:MasterKeyFile the right file? Nothing was changed (--drop-unreadable gives those connections needs_reauth)");

        var now = time.GetUtcNow();
        var key = keys.CreateNewKey(now, now.AddDays(90));
        await UntilDefaultAsync(key.KeyId, ct);
        foreach (var c in connections)
        {
            if (readable.TryGetValue(c.Id, out var plain))
            {
                c.EncryptedToken = vault.Protect(c.UserId, plain.Token);
                if (plain.Refresh is not null)
                    c.EncryptedRefreshToken = vault.Protect(SecretKind.CanvasRefreshToken, c.UserId, plain.Refresh);
            }
            else MarkUnreadable(c, now.UtcDateTime);
        }

        foreach (var i in instances.Where(i => secrets.ContainsKey(i.Id)))
            i.EncryptedClientSecret = vault.Protect(SecretKind.OAuthClientSecret, 0, secrets[i.Id]);

        await db.SaveChangesAsync(ct);
        return new RotationResult(key.KeyId, readable.Count, unreadable);
    }

    /// <summary>
    /// Data Protection may hand out its cached key ring while it reloads in the background, so a key made a moment
    /// ago is not at once the one that protects. Re-encrypting before then would only re-encrypt with the old key.
    /// </summary>
    private async Task UntilDefaultAsync(Guid keyId, CancellationToken ct)
    {
        var deadline = time.GetUtcNow().AddSeconds(30);
        while (TokenVault.KeyIdOf(vault.Protect(0, "probe")) != keyId)
        {
            if (time.GetUtcNow() > deadline)
                throw new MasterKeyException($"the new key {keyId} did not become the default within 30 s; nothing was re-encrypted");
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
        }
    }

    /// <summary>
    /// After the master key is lost: a new one, and every stored token (now unreadable by anyone) dropped, so each
    /// connection shows needs_reauth until its owner connects again. The synced data stays. Developer keys' client
    /// secrets are unreadable too: `instances list` shows them, and `instances add` sets them again.
    /// </summary>
    public async Task<int> NewMasterKeyAsync(CancellationToken ct)
    {
        if (masterKey.Exists) throw new MasterKeyException($"{masterKey.Path} exists; move it away first if it really is lost or wrong");
        MasterKey.Create(masterKey.Path);
        // A key sealed with the new master at once, so that the next start finds a key it can open.
        var at = time.GetUtcNow();
        keys.CreateNewKey(at, at.AddDays(90));
        await using var db = contexts.CreateDbContext();
        var now = at.UtcDateTime;
        var connections = await db.Connections.Where(c => c.EncryptedToken != null).ToListAsync(ct);
        foreach (var c in connections) MarkUnreadable(c, now);
        await db.SaveChangesAsync(ct);
        return connections.Count;
    }

    private static void MarkUnreadable(CanvasConnection c, DateTime now)
    {
        c.EncryptedToken = null;
        c.EncryptedRefreshToken = null;
        c.Status = ConnectionStatus.NeedsReauth;
        c.LastErrorCode = ConnectionTokens.UnreadableCode;
        c.UpdatedAt = now;
    }
}
