using System.Collections.Concurrent;
using CanvasSync.Canvas;
using CanvasSync.Hosting;
using CanvasSync.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Tests.Infrastructure;

/// <summary>The real Canvas client, built through dependency injection as the service builds it, with captured logs.</summary>
internal sealed class CanvasClients : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public CanvasClients(int retryAttempts = 8, int requestTimeoutSeconds = 30)
    {
        _services = new ServiceCollection()
            .AddLogging(l => l.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug))
            .AddCanvasClient()
            .Configure<CanvasOptions>(o =>
            {
                o.RetryAttempts = retryAttempts;
                o.AllowPrivateNetwork = true; // the sandbox is on loopback
                o.AllowHttp = true;
                o.RequestTimeoutSeconds = requestTimeoutSeconds;
            })
            .BuildServiceProvider();
    }

    public CapturedLogs Logs { get; } = new();

    public CanvasSession Open(SandboxServer sandbox, string token, int? maxInFlight = null) =>
        _services.GetRequiredService<CanvasClient>().Open(new Uri(sandbox.BaseUrl), token, maxInFlight: maxInFlight);

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>Every log line and exception text written, to check that no secret is among them.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
    }
}
