using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace CanvasSync.Security;

/// <summary>
/// Data Protection caches its key ring for up to a day. `keys rotate` (another process) adds a key and re-encrypts
/// every token with it at once, so a running node would hold ciphertexts made with a key it has never seen, and
/// take the tokens for unreadable. This wraps the key manager so that a ciphertext naming a key the cached ring lacks
/// makes the ring reload from the database (at most once per <see cref="MinInterval"/>), after which the new key is
/// there. It works the same on one node and on several: each reloads when it first meets the new key.
/// </summary>
internal sealed class KeyRingRefresh(IKeyManager inner, IServiceProvider services) : IKeyManager
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WaitForReload = TimeSpan.FromSeconds(10);

    private readonly Lock _reloading = new();
    private CancellationTokenSource _expire = new();
    private long _lastReload = Environment.TickCount64 - (long)MinInterval.TotalMilliseconds;
    // The provider holding the cached ring depends on this key manager, so it is looked up when first needed.
    private IKeyRingProvider Ring => services.GetRequiredService<IKeyRingProvider>();

    /// <summary>
    /// True when <paramref name="keyId"/> is in the key ring now, reloading it (and waiting for the reload) if the
    /// cached ring lacks it. Callers that meet the new key together wait for one reload. False when the database holds
    /// no such key: the reload found none, or one moments ago did not.
    /// </summary>
    public bool EnsureKnown(Guid keyId)
    {
        if (Has(keyId)) return true;
        lock (_reloading)
        {
            if (Has(keyId)) return true;
            var now = Environment.TickCount64;
            if (now - _lastReload < MinInterval.TotalMilliseconds) return false;
            _lastReload = now;
            var stale = Ring.GetCurrentKeyRing();
            Interlocked.Exchange(ref _expire, new CancellationTokenSource()).Cancel();
            // The provider hands out the stale ring while it reloads in the background: ask until the reload has landed
            // (another ring object), then look once.
            var deadline = now + (long)WaitForReload.TotalMilliseconds;
            while (Environment.TickCount64 < deadline)
            {
                var ring = Ring.GetCurrentKeyRing();
                if (ring.GetAuthenticatedEncryptorByKeyId(keyId, out _) is not null) return true;
                if (!ReferenceEquals(ring, stale)) return false;
                Thread.Sleep(20);
            }

            return false;
        }
    }

    private bool Has(Guid keyId) => Ring.GetCurrentKeyRing().GetAuthenticatedEncryptorByKeyId(keyId, out _) is not null;

    public CancellationToken GetCacheExpirationToken() =>
        CancellationTokenSource.CreateLinkedTokenSource(inner.GetCacheExpirationToken(), Volatile.Read(ref _expire).Token).Token;

    public IKey CreateNewKey(DateTimeOffset activationDate, DateTimeOffset expirationDate) =>
        inner.CreateNewKey(activationDate, expirationDate);
    public IReadOnlyCollection<IKey> GetAllKeys() => inner.GetAllKeys();
    public void RevokeKey(Guid keyId, string? reason = null) => inner.RevokeKey(keyId, reason);
    public void RevokeAllKeys(DateTimeOffset revocationDate, string? reason = null) => inner.RevokeAllKeys(revocationDate, reason);

    /// <summary>Registers the wrapper around whatever key manager Data Protection registered.</summary>
    public static void Register(IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(IKeyManager));
        services.Remove(original);
        services.AddSingleton(sp => new KeyRingRefresh(original.ImplementationFactory is { } make ? (IKeyManager)make(sp)
            : original.ImplementationInstance as IKeyManager
                ?? (IKeyManager)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!), sp));
        services.AddSingleton<IKeyManager>(sp => sp.GetRequiredService<KeyRingRefresh>());
    }
}
