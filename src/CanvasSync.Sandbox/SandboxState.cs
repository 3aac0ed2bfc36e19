using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.World;

namespace CanvasSync.Sandbox;

/// <summary>Everything one running sandbox holds: its world, behaviour, buckets and statistics.</summary>
internal sealed class SandboxState
{
    public required SandboxWorld World { get; init; }
    public required SandboxTokens Tokens { get; init; }
    public required SandboxSettings Settings { get; init; }
    public required SandboxRoutes Routes { get; init; }
    public required Buckets Buckets { get; init; }
    public required FaultInjector Faults { get; init; }
    public required SandboxStats Stats { get; init; }
    public required TimeProvider Time { get; init; }
    public required OAuth.SandboxOAuth OAuth { get; init; }

    public DateTime Now => Time.GetUtcNow().UtcDateTime;

    public SUser? UserForToken(string? token)
    {
        if (token is null) return null;
        using (World.Read()) return World.Tokens.TryGetValue(token, out var t) ? World.Users[t.UserId] : null;
    }

    /// <summary>Statistics name clients by user, never by token.</summary>
    public string DescribeClient(string clientKey) =>
        clientKey.StartsWith("token:", StringComparison.Ordinal) && UserForToken(clientKey[6..]) is { } u
            ? $"user:{u.Id}" : clientKey.StartsWith("ip:", StringComparison.Ordinal) ? clientKey : "unknown-token";
}
