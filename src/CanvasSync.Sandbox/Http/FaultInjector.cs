namespace CanvasSync.Sandbox.Http;

/// <summary>Decides, deterministically by seed, which requests fail and how.</summary>
internal sealed class FaultInjector(int seed)
{
    private readonly Lock _lock = new();
    private Random _random = new(seed ^ 0x5eed);

    public FaultKind? Roll(SandboxSettings settings)
    {
        if (settings.FaultRate <= 0 || settings.FaultKinds.Count == 0) return null;
        lock (_lock)
        {
            if (_random.NextDouble() >= settings.FaultRate) return null;
            return settings.FaultKinds[_random.Next(settings.FaultKinds.Count)];
        }
    }

    public void Reseed(int seed)
    {
        lock (_lock) _random = new Random(seed ^ 0x5eed);
    }

    public const string NginxBadGateway =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    public const string ServiceUnavailable = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n";
    public const string GatewayTimeout =
        "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n";
}
