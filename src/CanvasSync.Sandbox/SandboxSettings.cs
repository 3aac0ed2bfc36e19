namespace CanvasSync.Sandbox;

/// <summary>What kinds of fault the sandbox injects: Canvas's JSON 500, proxy HTML 502/503/504, a connection cut
/// mid-body, a slow answer, and a 200 whose JSON is cut short although the HTTP response is complete.</summary>
public enum FaultKind { Internal500, BadGateway502, Unavailable503, GatewayTimeout504, CutMidBody, Slow, TruncatedJson }

/// <summary>The sandbox's behaviour; changeable at run time through the control API.</summary>
public sealed class SandboxSettings
{
    /// <summary>Network latency per request, half before and half after the server work (outside the bucket).</summary>
    public int LatencyMs { get; set; }
    /// <summary>Server time per request: spent while the request holds its up-front reservation, and charged as its cost.</summary>
    public int CostMs { get; set; }
    public double FaultRate { get; set; }
    public IReadOnlyList<FaultKind> FaultKinds { get; set; } = Enum.GetValues<FaultKind>();
    public int SlowMs { get; set; } = 2000;
    /// <summary>When set (e.g. "http://evil.example"), pagination links point there: a client must not follow them.</summary>
    public string? ForeignLinkOrigin { get; set; }
    public ThrottleSettings Throttle { get; set; } = new();
    /// <summary>How long an OAuth2 access token lives (Canvas: an hour); short in tests so syncs outlive their tokens.</summary>
    public int AccessTokenSeconds { get; set; } = 3600;
    /// <summary>Whether /api/graphql answers, or is refused as some institutions refuse it (docs/canvas.md §7).</summary>
    public GraphQLMode GraphQL { get; set; } = GraphQLMode.Served;
}

/// <summary>How /api/graphql answers: served, a 404 (switched off), or a 401 for a developer key without its scope.</summary>
public enum GraphQLMode { Served, NotFound, NoScope }

/// <summary>Canvas's leaky bucket defaults (docs/canvas.md §4).</summary>
public sealed record ThrottleSettings
{
    public bool Enabled { get; init; } = true;
    /// <summary>403 as in the source, or 429 as Instructure Cloud sends since 2025-10-06.</summary>
    public int Status { get; init; } = 403;
    public double HighWaterMark { get; init; } = 600;
    public double Maximum { get; init; } = 800;
    public double OutflowPerSecond { get; init; } = 10;
    public double UpFrontCost { get; init; } = 50;
}
