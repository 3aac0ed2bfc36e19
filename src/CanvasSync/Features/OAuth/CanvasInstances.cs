using CanvasSync.Data;
using CanvasSync.Security;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Features.OAuth;

/// <summary>Bad instance configuration, naming the setting at fault.</summary>
internal sealed class InstanceConfigException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>An instance as anyone may see it: no secret.</summary>
internal sealed record InstanceView(long Id, string Name, string CanvasUrl, string ClientId, string RedirectUri, bool SecretReadable,
    int Connections);

/// <summary>
/// The deployment's developer keys, one per Canvas instance (`canvas-sync instances add|list|remove`). Adding a key for
/// a Canvas that has one replaces it (a new secret, say); existing connections keep their grants.
/// </summary>
internal sealed class CanvasInstances(CanvasSyncDbContext db, CanvasUrlGuard guard, TokenVault vault, TimeProvider time)
{
    public async Task<CanvasInstance> AddAsync(string? canvasUrl, string? name, string? clientId, string? clientSecret, string? redirectUri,
        CancellationToken ct)
    {
        Uri baseUrl;
        try
        {
            baseUrl = await guard.CheckAsync(canvasUrl, ct);
        }
        catch (CanvasUrlRejectedException e)
        {
            throw new InstanceConfigException("canvas_url", e.Message);
        }

        if (string.IsNullOrWhiteSpace(clientId) || clientId.Length > 200)
            throw new InstanceConfigException("client_id",
            "client_id is required: the developer key's id (Canvas: Admin > Developer Keys)");
        if (string.IsNullOrWhiteSpace(clientSecret) || clientSecret.Length > 1000)
            throw new InstanceConfigException("client_secret", "client_secret is required: the developer key's secret");
        var redirect = RedirectUri(redirectUri)
            ?? throw new InstanceConfigException("redirect_uri",
                "redirect_uri must be an absolute http(s) URL without a fragment, registered on the developer key (normally https://YOUR-CANVASSYNC/oauth/callback)");

        var url = baseUrl.GetLeftPart(UriPartial.Authority);
        var now = time.GetUtcNow().UtcDateTime;
        var instance = await db.CanvasInstances.FirstOrDefaultAsync(i => i.BaseUrl == url, ct);
        if (instance is null)
        {
            instance = new CanvasInstance { BaseUrl = url, CreatedAt = now };
            db.CanvasInstances.Add(instance);
        }

        instance.Name = string.IsNullOrWhiteSpace(name) ? baseUrl.Host : name.Trim();
        instance.ClientId = clientId.Trim();
        instance.EncryptedClientSecret = vault.Protect(SecretKind.OAuthClientSecret, 0, clientSecret.Trim());
        instance.RedirectUri = redirect;
        instance.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return instance;
    }

    /// <summary>What OAuth2 accepts as a redirect URI (RFC 6749 3.1.2: absolute, no fragment), normalised; null if not one.</summary>
    public static string? RedirectUri(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is ("https" or "http") && uri.Fragment.Length == 0
            ? uri.ToString() : null;

    public async Task<IReadOnlyList<InstanceView>> ListAsync(CancellationToken ct)
    {
        var rows = await db.CanvasInstances.AsNoTracking().OrderBy(i => i.Name).ThenBy(i => i.Id)
            .Select(i => new { Instance = i, Connections = db.Connections.Count(c => c.InstanceId == i.Id) }).ToListAsync(ct);
        return rows.Select(r => new InstanceView(r.Instance.Id, r.Instance.Name, r.Instance.BaseUrl, r.Instance.ClientId,
            r.Instance.RedirectUri,
            vault.TryUnprotect(SecretKind.OAuthClientSecret, 0, r.Instance.EncryptedClientSecret, out _), r.Connections)).ToList();
    }

    /// <summary>Removes a developer key no connection uses; false when there is none for that URL.</summary>
    public async Task<bool> RemoveAsync(string canvasUrl, CancellationToken ct)
    {
        var url = Uri.TryCreate(canvasUrl, UriKind.Absolute, out var u) ? u.GetLeftPart(UriPartial.Authority) : canvasUrl;
        var instance = await db.CanvasInstances.FirstOrDefaultAsync(i => i.BaseUrl == url, ct);
        if (instance is null) return false;
        var inUse = await db.Connections.CountAsync(c => c.InstanceId == instance.Id, ct);
        if (inUse > 0)
            throw new InstanceConfigException("canvas_url", $"{inUse} connections were made with this developer key; they must disconnect (or their users be removed) first");
        db.CanvasInstances.Remove(instance);
        await db.SaveChangesAsync(ct);
        return true;
    }
}
