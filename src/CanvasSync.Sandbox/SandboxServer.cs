using System.Text.Json;
using CanvasSync.Sandbox.Api;
using CanvasSync.Sandbox.Control;
using CanvasSync.Sandbox.GraphQL;
using CanvasSync.Sandbox.Http;
using CanvasSync.Sandbox.OAuth;
using CanvasSync.Sandbox.World;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Sandbox;

/// <summary>How to start a sandbox Canvas.</summary>
public sealed record SandboxOptions
{
    public SandboxProfile Profile { get; init; } = SandboxProfile.Student;
    public int Seed { get; init; } = 1;
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }
    public int LatencyMs { get; init; }
    public int CostMs { get; init; }
    public double FaultRate { get; init; }
    public bool Throttle { get; init; } = true;
    public int ThrottleStatus { get; init; } = 403;
    /// <summary>The day the data is laid out around; by default today (UTC).</summary>
    public DateTime? AnchorDate { get; init; }
    public int CampusStudents { get; init; } = 40;
    public int CampusCourses { get; init; } = 6;
    /// <summary>Every id is above this; sandboxes started with different values share no id, as two Canvas shards.</summary>
    public long FirstId { get; init; } = 1000;
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>How long OAuth2 access tokens live.</summary>
    public int AccessTokenSeconds { get; init; } = 3600;
}

/// <summary>A running sandbox Canvas on loopback.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxState _state;

    private SandboxServer(WebApplication app, SandboxState state, string baseUrl)
    {
        _app = app;
        _state = state;
        BaseUrl = baseUrl;
    }

    /// <summary>http://127.0.0.1:PORT, without a trailing slash.</summary>
    public string BaseUrl { get; }
    public SandboxTokens Tokens => _state.Tokens;
    /// <summary>The developer key CanvasSync can be configured with; it accepts redirect URIs on loopback.</summary>
    public SandboxDeveloperKey DeveloperKey => _state.OAuth.Key;
    public SandboxSettings Settings => _state.Settings;

    public static async Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
    {
        if (options.ThrottleStatus is not (403 or 429)) throw new ArgumentException("throttle status must be 403 or 429", nameof(options));
        var anchor = (options.AnchorDate ?? options.Time.GetUtcNow().UtcDateTime).Date;
        var (world, tokens) = WorldGenerator.Generate(options.Profile, options.Seed, DateTime.SpecifyKind(anchor, DateTimeKind.Utc),
            options.CampusStudents, options.CampusCourses, options.FirstId);
        var settings = new SandboxSettings
        {
            LatencyMs = options.LatencyMs,
            CostMs = options.CostMs,
            FaultRate = options.FaultRate,
            Throttle = new ThrottleSettings { Enabled = options.Throttle, Status = options.ThrottleStatus },
            AccessTokenSeconds = options.AccessTokenSeconds,
        };
        var routes = new SandboxRoutes();
        UsersAndCoursesApi.Map(routes);
        AssignmentsApi.Map(routes);
        SubmissionsApi.Map(routes);
        EnrollmentsApi.Map(routes);
        GroupsApi.Map(routes);
        PlannerApi.Map(routes);
        var state = new SandboxState
        {
            World = world,
            Tokens = tokens,
            Settings = settings,
            Routes = routes,
            Time = options.Time,
            Buckets = new Buckets(options.Time),
            Faults = new FaultInjector(options.Seed),
            Stats = new SandboxStats(),
            OAuth = new SandboxOAuth(world, settings, options.Time),
        };

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, options.Port));
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });
        var app = builder.Build();
        var pipeline = new CanvasPipeline(world, settings, state.Buckets, state.Faults, state.Stats, options.Time);

        // One catch-all for Canvas's API, routed by the sandbox's own table (shared with the reference crawler).
        var graphql = new GraphQLApi(world, settings);
        GraphQLApi.Warm();
        app.Map("/api/{**path}", (HttpContext http) =>
        {
            if (http.Request.Path == GraphQLApi.Path && HttpMethods.IsPost(http.Request.Method)) return graphql.HandleAsync(http, pipeline);
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
                return pipeline.HandleAsync(http, "unsupported", _ => CanvasErrors.NotFound());
            routes.TryMatch(http.Request.Path, out var template, out var handler, out var values);
            http.Request.RouteValues = values;
            return pipeline.HandleAsync(http, template, handler ?? (_ => CanvasErrors.NotFound()));
        });
        app.MapOAuth(state);
        app.MapControl(state);
        app.MapGet("/", () => Results.Text("CanvasSync sandbox Canvas. API under /api/v1, controls under /_sandbox.\n"));

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SandboxServer(app, state, address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/'));
    }

    /// <summary>The ready-file document: where the sandbox listens and its tokens by role.</summary>
    public string ReadyJson() => JsonSerializer.Serialize(new
    {
        base_url = BaseUrl,
        tokens = new
        {
            student = Tokens.Student,
            teacher = Tokens.Teacher,
            admin = Tokens.Admin,
            expired = Tokens.Expired,
            revoked = Tokens.Revoked,
            campus = Tokens.Campus,
        },
        developer_key = new
        {
            client_id = DeveloperKey.ClientId,
            client_secret = DeveloperKey.ClientSecret,
            redirect_uris = DeveloperKey.RedirectUris
        },
    }, new JsonSerializerOptions { WriteIndented = true });

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
