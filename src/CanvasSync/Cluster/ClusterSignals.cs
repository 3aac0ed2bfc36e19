using System.Text.Json;
using System.Threading.Channels;
using CanvasSync.Data;
using CanvasSync.Features.SyncRuns;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CanvasSync.Cluster;

/// <summary>
/// Sync progress between the nodes of a PostgreSQL deployment, over LISTEN/NOTIFY: each node sends the events of the
/// runs it works on and takes in everyone else's (<see cref="SyncEvents.Accept"/>), so a client following a run over
/// server-sent events may reach any node. Sending is batched: one round trip carries every event waiting. A dropped
/// connection is reopened; events lost meanwhile are progress only, and the SSE endpoint falls back to the run's row
/// for the end. On SQLite (one node) this does nothing.
/// </summary>
internal sealed partial class ClusterSignals : BackgroundService, IHealthCheck
{
    public const string Channel = "canvas_sync_events";
    private const int MaxBatch = 500;
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(1);

    private readonly DatabaseTarget _database;
    private readonly SyncEvents _events;
    private readonly NodeIdentity _node;
    private readonly ILogger<ClusterSignals> _logger;
    private readonly Channel<SyncEvent> _outbox =
        System.Threading.Channels.Channel.CreateUnbounded<SyncEvent>(new UnboundedChannelOptions { SingleReader = true });
    private volatile bool _listening;

    public ClusterSignals(DatabaseTarget database, SyncEvents events, NodeIdentity node, ILogger<ClusterSignals> logger)
    {
        (_database, _events, _node, _logger) = (database, events, node, logger);
        if (Enabled) events.Published += e => _outbox.Writer.TryWrite(e);
    }

    private bool Enabled => _database.Provider == DatabaseProvider.Postgres;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Enabled ? Task.WhenAll(SendAsync(stoppingToken), ListenAsync(stoppingToken)) : Task.CompletedTask;

    /// <summary>Ready when this node hears the others (always, on SQLite).</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(!Enabled || _listening ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("not listening for other nodes' sync progress"));

    private async Task SendAsync(CancellationToken stop)
    {
        NpgsqlConnection? connection = null;
        try
        {
            while (await _outbox.Reader.WaitToReadAsync(stop))
            {
                var batch = new List<string>();
                while (batch.Count < MaxBatch && _outbox.Reader.TryRead(out var e))
                    batch.Add(JsonSerializer.Serialize(new Signal(_node.Name, e)));
                try
                {
                    connection ??= await OpenAsync(stop);
                    // One statement, one notification per event, delivered in order when it commits.
                    await using var cmd = new NpgsqlCommand("SELECT pg_notify(@channel, payload) FROM unnest(@payloads) AS payload",
                        connection);
                    cmd.Parameters.AddWithValue("channel", Channel);
                    cmd.Parameters.AddWithValue("payloads", batch.ToArray());
                    await cmd.ExecuteNonQueryAsync(stop);
                }
                catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
                {
                    LogSendFailed(_logger, batch.Count, e.GetType().Name);
                    if (connection is not null) await connection.DisposeAsync();
                    connection = null;
                    await Task.Delay(Reconnect, stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
        }
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await OpenAsync(stop);
                connection.Notification += (_, n) => Receive(n.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection)) await listen.ExecuteNonQueryAsync(stop);
                _listening = true;
                while (true) await connection.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                _listening = false;
                LogListenFailed(_logger, e.GetType().Name);
                await Task.Delay(Reconnect, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void Receive(string payload)
    {
        try
        {
            if (JsonSerializer.Deserialize<Signal>(payload) is { } signal && signal.Node != _node.Name) _events.Accept(signal.Event);
        }
        catch (JsonException)
        {
            LogBadSignal(_logger);
        }
    }

    /// <summary>A connection of its own, outside the pool, kept alive so a dead peer is noticed.</summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Pooling = false, KeepAlive = 15 };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private sealed record Signal(string Node, SyncEvent Event);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Sending {Count} sync events to the other nodes failed ({Error}); they are dropped, the runs' rows still say where they stand")]
    private static partial void LogSendFailed(ILogger logger, int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for other nodes' sync events failed ({Error}); reconnecting")]
    private static partial void LogListenFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A sync event from another node could not be read; skipped")]
    private static partial void LogBadSignal(ILogger logger);
}
