using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace CanvasSync.Security;

/// <summary>The secrets CanvasSync stores, each under a purpose of its own: one kind's ciphertext never opens as another.</summary>
internal enum SecretKind { CanvasApiToken, CanvasRefreshToken, OAuthClientSecret, PkceVerifier }

/// <summary>
/// Canvas tokens in and out of their stored, encrypted form: ASP.NET Core Data Protection, one purpose per
/// CanvasSync user, so a ciphertext copied onto another user's row does not decrypt.
/// </summary>
internal sealed class TokenVault(IDataProtectionProvider provider, KeyRingRefresh keyRing)
{
    private IDataProtector For(SecretKind kind, long ownerId) =>
        provider.CreateProtector("CanvasSync." + kind, "v1", ownerId.ToString(CultureInfo.InvariantCulture));

    /// <summary>A Canvas access token (personal, or OAuth2's current one) of a CanvasSync user.</summary>
    public string Protect(long userId, string token) => For(SecretKind.CanvasApiToken, userId).Protect(token);

    /// <summary>False when the key that encrypted it is gone or unreadable (a lost master key), or it was altered.</summary>
    public bool TryUnprotect(long userId, string ciphertext, out string token) =>
        TryUnprotect(For(SecretKind.CanvasApiToken, userId), ciphertext, out token);

    /// <summary>Any other secret; <paramref name="ownerId"/> is the user (or 0 for a deployment's own, like a client secret).</summary>
    public string Protect(SecretKind kind, long ownerId, string plain) => For(kind, ownerId).Protect(plain);

    public bool TryUnprotect(SecretKind kind, long ownerId, string ciphertext, out string plain) =>
        TryUnprotect(For(kind, ownerId), ciphertext, out plain);

    /// <summary>
    /// Any protector's ciphertext back, or false (a lost key, an altered text), for every secret CanvasSync stores. A
    /// ciphertext made with a key this process has not loaded yet (`keys rotate` ran elsewhere) reloads the key ring
    /// once and is tried again, so a rotation never reads as a lost key.
    /// </summary>
    public bool TryUnprotect(IDataProtector protector, string ciphertext, out string plain)
    {
        if (TryOnce(protector, ciphertext, out plain)) return true;
        return KeyIdOrNull(ciphertext) is { } keyId && keyRing.EnsureKnown(keyId) && TryOnce(protector, ciphertext, out plain);
    }

    private static bool TryOnce(IDataProtector protector, string ciphertext, out string plain)
    {
        try
        {
            plain = protector.Unprotect(ciphertext);
            return true;
        }
        catch (CryptographicException)
        {
            plain = "";
            return false;
        }
    }

    private static Guid? KeyIdOrNull(string ciphertext)
    {
        try
        {
            return KeyIdOf(ciphertext);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return null; // not a Data Protection payload at all
        }
    }

    /// <summary>The id of the key a ciphertext was made with (Data Protection's payload header: 4-byte magic, then the key id).</summary>
    public static Guid KeyIdOf(string ciphertext) => new(WebEncoders.Base64UrlDecode(ciphertext).AsSpan(4, 16));
}
