using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace CanvasSync.Security;

/// <summary>
/// The secrets CanvasSync hands out and then only looks up (API keys, calendar feed tokens, OAuth2 states, browser
/// bindings): 256 random bits, base64url; stored as their SHA-256, so a copy of the database opens nothing.
/// </summary>
internal static class BearerSecrets
{
    public static string New() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
