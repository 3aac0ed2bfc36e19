using CanvasSync.Security;

namespace CanvasSync.Features.Accounts;

/// <summary>What an API key looks like and how it is stored: "csk_" and 256 random bits; only the hash is kept.</summary>
internal static class ApiKeys
{
    public const string Scheme = "csk_";

    public static string NewKey() => Scheme + BearerSecrets.New();

    public static string HashOf(string key) => BearerSecrets.HashOf(key);

    /// <summary>What lists show to tell keys apart: the scheme and 8 characters (48 of the 256 bits).</summary>
    public static string PrefixOf(string key) => key[..Math.Min(key.Length, Scheme.Length + 8)];

    /// <summary>Cheap shape check before any lookup: keys of another kind are not worth a query.</summary>
    public static bool LooksLikeKey(string? value) => value is { Length: > 40 and < 100 }
        && value.StartsWith(Scheme, StringComparison.Ordinal);
}
